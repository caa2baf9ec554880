"""Issue 13 (finding 6): text no customer means to send must not crash any NLU step (defence in depth).

The channels drop such characters before Rasa sees a message, but Rasa's /model/parse and any other caller
reach the pipeline directly: the custom components (and jieba after them) must take lone surrogates,
control characters and invisible marks in their stride.
"""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.anger import AngerDetector
from bot.nlu.bare_answer import BareAnswerClassifier
from bot.nlu.courier_entities import CourierEntityExtractor, rule_entities
from bot.nlu.courier_tokenizer import CourierTokenizer
from bot.nlu.script_normalizer import ScriptNormalizer
from bot.vocabulary.script import detect_script, to_simplified, to_traditional
from tests.hostile_corpus import CORPUS

pytestmark = pytest.mark.security

HOSTILE = [
    "\ud800",
    "\udfff",
    "查件\ud83dZT100000000001\udc00请问到哪了",
    "從上海\ud800寄到北京多少錢",
    "\x00\x01\x02\x1b[31m\x7f",
    "查件\x00ZT100000000001\x00",
    "\u202e查件\u200bZT1000\u200d00000001\ufeff",
    "你们这破快递\ud800！！！气死我了",
    "13812345678\udc00",
]


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    """The custom steps in config.yml's order, the courier tokenizer (with our dictionary) after the normaliser."""
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    context = ExecutionContext(GraphSchema({}), "test")

    def create(component, config=None, name="component"):
        return component.create({**component.get_default_config(), **(config or {})}, storage, Resource(name),
                                context)

    return [
        create(ScriptNormalizer),
        create(CourierTokenizer, {"dictionary_path": "bot/nlu/dictionary"}, "tokenizer"),
        create(CourierEntityExtractor),
        create(BareAnswerClassifier),
        create(AngerDetector),
    ]


def _run(pipeline, text: str) -> Message:
    message = Message.build(text=text)
    for component in pipeline:
        component.process([message])
    return message


@pytest.mark.parametrize("text", HOSTILE + [item.text for item in CORPUS if not item.oversized])
def test_the_pipeline_takes_hostile_text(pipeline, text: str) -> None:
    message = _run(pipeline, text)
    message.get("text").encode("utf-8")  # what the tracker store and the logs will encode
    for entity in message.get("entities") or []:
        str(entity["value"]).encode("utf-8")


def test_offsets_are_kept_so_entities_point_at_the_right_characters(pipeline) -> None:
    message = _run(pipeline, "查件\ud83dZT100000000001\udc00请问到哪了")
    tracking = next(e for e in message.get("entities") if e["entity"] == "tracking_number")
    assert tracking["value"] == "ZT100000000001"
    assert message.get("text")[tracking["start"]:tracking["end"]] == "ZT100000000001"


def test_anger_is_still_seen_through_a_lone_surrogate(pipeline) -> None:
    message = _run(pipeline, "你们这破快递\ud800！！！气死我了")
    assert any(e["entity"] == "mood" for e in message.get("entities"))


def test_the_entity_extractor_alone_takes_a_lone_surrogate() -> None:
    """It once raised UnicodeEncodeError (OpenCC encodes its input) and the customer got no reply."""
    found = rule_entities("查件\ud800ZT100000000001")
    assert [e["value"] for e in found] == ["ZT100000000001"]


def test_training_data_with_hostile_characters_keeps_entity_offsets(pipeline) -> None:
    message = Message.build(
        text="寄到\x00蘇州\u200b多少錢", intent="request_quote",
        entities=[{"entity": "city", "start": 3, "end": 5, "value": "蘇州"}],
    )
    pipeline[0].process_training_data(TrainingData([message]))
    assert message.get("text") == "寄到 苏州 多少钱" and message.get("text")[3:5] == "苏州"


@pytest.mark.parametrize("text", ["\ud800", "說\udfff", "a\ud83d"])
def test_script_conversion_never_raises(text: str) -> None:
    assert len(to_simplified(text)) == len(text)
    to_traditional(text).encode("utf-8")
    assert detect_script(text) in {"simplified", "traditional", "neutral"}
