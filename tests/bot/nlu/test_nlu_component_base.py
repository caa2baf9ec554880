"""The custom NLU steps share one base (bot/nlu/component_base.py): Rasa still accepts and builds each of them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa.engine import validation
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.recipes.recipe import Recipe
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.data import TrainingType

from bot.nlu import anger
from bot.nlu.anger import AngerDetector
from bot.nlu.bare_answer import BareAnswerClassifier
from bot.nlu.component_base import ChineseNluComponent
from bot.nlu.courier_entities import CourierEntityExtractor
from bot.nlu.intent_ensemble import IntentEnsemble, RememberIntentRanking
from bot.nlu.script_normalizer import ScriptNormalizer
from tests.support import ROOT

COMPONENTS = (ScriptNormalizer, RememberIntentRanking, IntentEnsemble, CourierEntityExtractor, BareAnswerClassifier,
              AngerDetector)


def _create(component: type[ChineseNluComponent], tmp_path: Path, config: dict | None = None) -> ChineseNluComponent:
    return component.create(config or {}, LocalModelStorage(tmp_path), Resource("x"),
                            ExecutionContext(GraphSchema({}), "test"))


def test_the_pipeline_in_config_yml_passes_rasas_graph_validation() -> None:
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    recipe = Recipe.recipe_for_name(config.get("recipe"))
    graph = recipe.graph_config_for_recipe(config, {}, training_type=TrainingType.NLU)
    used = {node.uses for node in graph.predict_schema.nodes.values()}
    assert set(COMPONENTS) <= used  # every shared-base step is in the model the assistant runs
    validation.validate(graph)


@pytest.mark.parametrize("component", COMPONENTS, ids=lambda c: c.__name__)
def test_each_step_is_built_from_its_defaults_for_chinese(component, tmp_path) -> None:
    built = _create(component, tmp_path)
    assert isinstance(built, component)
    assert built.config == component.get_default_config()
    assert component.supported_languages() == ["zh"]


def test_config_yml_values_override_the_defaults(tmp_path) -> None:
    assert _create(IntentEnsemble, tmp_path).config == {"first_weight": 0.5}
    assert _create(IntentEnsemble, tmp_path, {"first_weight": 0.2}).config == {"first_weight": 0.2}


def test_a_broken_anger_lexicon_fails_when_the_model_loads(tmp_path, monkeypatch) -> None:
    def broken_lexicon() -> None:
        raise ValueError("unbalanced pattern in anger_lexicon.yml")

    monkeypatch.setattr(anger, "lexicon", broken_lexicon)
    with pytest.raises(ValueError, match="anger_lexicon"):
        _create(AngerDetector, tmp_path)
