"""Is the customer angry? A lexicon score, recorded as the entity `mood` = `angry` for the dialogue.

DOMAIN.md: the assistant hands off when the customer is angry. Anger is not an intent (an angry customer is
still tracking a parcel or filing a complaint), so it is scored beside intent classification and changes
no intent: insults, exasperation, threats to escalate (邮政局, 12305, 315, 律师), shouting and angry emoji,
scored by the shared lexicon (bot/vocabulary/anger.py). The dialogue reads the entity
(bot/policies/angry_handoff.py) and maps it to the `mood` slot. The lexicon is read from the repository at
start-up, so editing it needs no retraining.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.component_base import ChineseNluComponent
from bot.vocabulary.anger import lexicon, score_anger

MOOD_ENTITY = "mood"
ANGRY = "angry"
EXTRACTOR = "AngerDetector"

logger = logging.getLogger(__name__)


def mood_entity(text: str) -> dict[str, Any] | None:
    """The `mood` entity for an angry message (spanning its anger cues), None for a calm one."""
    result = score_anger(text)
    if not result.angry:
        return None
    signals = [cue for cue in result.cues if cue.weight > 0]
    return {
        "entity": MOOD_ENTITY,
        "value": ANGRY,
        "start": min(cue.start for cue in signals),
        "end": max(cue.end for cue in signals),
        "confidence_entity": 1.0,
        "extractor": EXTRACTOR,
    }


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class AngerDetector(ChineseNluComponent):
    """Adds `mood: angry` to the entities of an angry message; intents and other entities are left alone."""

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        super().__init__(config)
        lexicon()  # a broken lexicon fails at start-up, not on a customer's message

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text:
                continue
            entity = mood_entity(text)
            if entity is None:
                continue
            entities = [e for e in message.get(ENTITIES) or [] if e.get("entity") != MOOD_ENTITY]
            message.set(ENTITIES, [*entities, entity], add_to_output=True)
            logger.debug("angry message (cues at %s–%s)", entity["start"], entity["end"])
        return messages
