"""Averaging DIET's and the logistic regression's intent rankings."""

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.intent_ensemble import IntentEnsemble, RememberIntentRanking, combine_rankings


def _create(component, tmp_path, config=None):
    return component.create(config or {}, LocalModelStorage(tmp_path), Resource("x"),
                            ExecutionContext(GraphSchema({}), "test"))


def test_combine_rankings_weighted_mean():
    first = [{"name": "track_parcel", "confidence": 0.9}, {"name": "inform", "confidence": 0.1}]
    second = [{"name": "inform", "confidence": 0.6}, {"name": "track_parcel", "confidence": 0.3},
              {"name": "greet", "confidence": 0.1}]
    ranking = combine_rankings(first, second, 0.2)
    assert [r["name"] for r in ranking] == ["inform", "track_parcel", "greet"]
    assert abs(ranking[0]["confidence"] - (0.2 * 0.1 + 0.8 * 0.6)) < 1e-9
    assert abs(ranking[2]["confidence"] - 0.08) < 1e-9


def test_remembered_ranking_survives_the_second_classifier(tmp_path):
    message = Message.build(text="查件")
    message.set("intent_ranking", [{"name": "track_parcel", "confidence": 1.0}], add_to_output=True)
    _create(RememberIntentRanking, tmp_path).process([message])
    # What LogisticRegressionClassifier does: overwrite intent and ranking.
    message.set("intent", {"name": "inform", "confidence": 0.55}, add_to_output=True)
    message.set("intent_ranking", [{"name": "inform", "confidence": 0.55},
                                   {"name": "track_parcel", "confidence": 0.45}], add_to_output=True)
    _create(IntentEnsemble, tmp_path, {"first_weight": 0.5}).process([message])
    assert message.get("intent")["name"] == "track_parcel"
    assert abs(message.get("intent")["confidence"] - 0.725) < 1e-9
    assert "first_intent_ranking" not in message.as_dict(only_output_properties=True)


def test_ensemble_without_first_ranking_changes_nothing(tmp_path):
    message = Message.build(text="你好")
    message.set("intent", {"name": "greet", "confidence": 0.9}, add_to_output=True)
    message.set("intent_ranking", [{"name": "greet", "confidence": 0.9}], add_to_output=True)
    _create(IntentEnsemble, tmp_path).process([message])
    assert message.get("intent") == {"name": "greet", "confidence": 0.9}
