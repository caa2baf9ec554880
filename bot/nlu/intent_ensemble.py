"""Average the intent rankings of two classifiers (DIET and a logistic regression on the same features).

On the small training set, DIET is sure of itself and sometimes wrong, the linear model is better
calibrated; averaging their probabilities was better than either alone on a validation split of the
training data. `RememberIntentRanking` keeps the first classifier's ranking before the second one
overwrites it; `IntentEnsemble` then combines the two.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.component_base import ChineseNluComponent

FIRST_RANKING = "first_intent_ranking"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class RememberIntentRanking(ChineseNluComponent):
    """Stores the current intent ranking so a later classifier does not erase it."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            message.set(FIRST_RANKING, list(message.get(INTENT_RANKING_KEY) or []))
        return messages


def combine_rankings(first: list[dict[str, Any]], second: list[dict[str, Any]],
                     first_weight: float) -> list[dict[str, Any]]:
    """Weighted mean of two rankings' confidences (an intent missing from one counts 0 there)."""
    scores: dict[str, float] = {}
    for ranking, weight in ((first, first_weight), (second, 1.0 - first_weight)):
        for entry in ranking:
            name = entry.get("name")
            if name:
                scores[name] = scores.get(name, 0.0) + weight * float(entry.get("confidence") or 0.0)
    ordered = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    return [{"name": name, "confidence": confidence} for name, confidence in ordered]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class IntentEnsemble(ChineseNluComponent):
    """Replaces the intent with the weighted mean of the remembered and the current rankings."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"first_weight": 0.5}

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            first = message.get(FIRST_RANKING) or []
            second = message.get(INTENT_RANKING_KEY) or []
            if not first or not second:
                continue
            ranking = combine_rankings(first, second, float(self.config["first_weight"]))
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
