"""Messages made only of entities and filler words are classified as inform."""

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.bare_answer import BareAnswerClassifier, is_bare_answer
from bot.nlu.courier_entities import rule_entities


@pytest.mark.parametrize(
    "text",
    ["15208717882", "江苏省", "运单号是SF213807330657", "CL20261027028", "武汉去宁波", "保价3000块钱吧",
     "5斤左右", "尺寸 30x20x10 cm", "电话：138 1234 5678 ~"],
)
def test_entity_only_messages_are_bare_answers(text):
    assert is_bare_answer(text, rule_entities(text))


@pytest.mark.parametrize(
    "text",
    ["查件SF1234567890123", "寄5斤到成都多少钱", "你好", "我的投诉CP20261123001处理了吗", "深圳几天能到", ""],
)
def test_requests_are_not_bare_answers(text):
    assert not is_bare_answer(text, rule_entities(text))


def test_classifier_overrides_intent_and_ranking(tmp_path):
    classifier = BareAnswerClassifier.create(
        {}, LocalModelStorage(tmp_path), Resource("bare"), ExecutionContext(GraphSchema({}), "test"))
    message = Message.build(text="单号是ZT123456789012")
    message.set("entities", rule_entities("单号是ZT123456789012"), add_to_output=True)
    message.set("intent", {"name": "track_parcel", "confidence": 0.97}, add_to_output=True)
    message.set("intent_ranking", [{"name": "track_parcel", "confidence": 0.97},
                                   {"name": "inform", "confidence": 0.02}], add_to_output=True)
    classifier.process([message])
    assert message.get("intent") == {"name": "inform", "confidence": 1.0}
    ranking = message.get("intent_ranking")
    assert [r["name"] for r in ranking] == ["inform", "track_parcel"]
    assert ranking[1]["confidence"] == 0.0


def test_classifier_leaves_requests_alone(tmp_path):
    classifier = BareAnswerClassifier.create(
        {}, LocalModelStorage(tmp_path), Resource("bare"), ExecutionContext(GraphSchema({}), "test"))
    message = Message.build(text="查件ZT123456789012")
    message.set("entities", rule_entities("查件ZT123456789012"), add_to_output=True)
    message.set("intent", {"name": "track_parcel", "confidence": 0.97}, add_to_output=True)
    classifier.process([message])
    assert message.get("intent")["name"] == "track_parcel"
