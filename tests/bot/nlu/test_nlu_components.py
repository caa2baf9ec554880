"""The custom Rasa graph components: script normaliser and the merging entity extractor."""

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.courier_entities import CourierEntityExtractor, merge_entities, rule_entities
from bot.nlu.script_normalizer import ScriptNormalizer
from bot.vocabulary.script import simplify_keeping_offsets


@pytest.fixture
def context(tmp_path):
    storage = LocalModelStorage(tmp_path)
    return storage, Resource("component"), ExecutionContext(GraphSchema({}), "test")


@pytest.fixture
def normalizer(context):
    return ScriptNormalizer.create({}, *context)


@pytest.fixture
def extractor(context):
    return CourierEntityExtractor.create({}, *context)


def test_traditional_message_is_simplified_and_script_recorded(normalizer):
    message = Message.build(text="可以寄充電寶嗎")
    normalizer.process([message])
    assert message.get("text") == "可以寄充电宝吗"
    assert message.get("script") == "traditional"
    assert message.get("original_text") == "可以寄充電寶嗎"
    output = message.as_dict(only_output_properties=True)
    assert output["script"] == "traditional"


@pytest.mark.parametrize(("text", "script"), [("什么东西不能寄", "simplified"), ("好的👌", "neutral")])
def test_other_scripts_keep_their_text(normalizer, text, script):
    message = Message.build(text=text)
    normalizer.process([message])
    assert message.get("text") == text
    assert message.get("script") == script


def test_training_data_is_simplified_with_entity_offsets_intact(normalizer):
    message = Message.build(
        text="寄到蘇州多少錢",
        intent="request_quote",
        entities=[{"entity": "city", "start": 2, "end": 4, "value": "蘇州", "role": "destination"}],
    )
    normalizer.process_training_data(TrainingData([message]))
    assert message.get("text") == "寄到苏州多少钱"
    entity = message.get("entities")[0]
    assert message.get("text")[entity["start"]:entity["end"]] == "苏州"
    assert entity["value"] == "苏州"


def test_simplify_keeping_offsets_keeps_length():
    for text in ("我們的頭髮", "快遞到哪裡了", "乾燥劑", "香港特別行政區"):
        assert len(simplify_keeping_offsets(text)) == len(text)


def test_rule_entities_on_traditional_text_get_simplified_city():
    entities = rule_entities("從臺北寄到廈門 5斤")
    assert [(e["entity"], e.get("role"), e["value"]) for e in entities] == [
        ("city", "origin", "台北"), ("city", "destination", "厦门"), ("weight", None, "2.5")]


def _diet(entity, start, end, value, **extra):
    return {"entity": entity, "start": start, "end": end, "value": value, "extractor": "DIETClassifier", **extra}


def test_merge_drops_overlapping_and_rule_typed_learned_entities():
    text = "寄5斤充电宝到深圳"
    rules = rule_entities(text)
    learned = [
        _diet("weight", 1, 3, "5斤"),            # overlaps the rule weight
        _diet("item", 3, 6, "充电宝"),            # kept: rules do not do items
        _diet("city", 7, 9, "深圳", role="origin"),  # gazetteer found a city: learned one dropped
        _diet("phone", 0, 1, "寄"),               # rule-owned type: dropped
    ]
    merged = merge_entities(learned, rules)
    assert [(e["entity"], e.get("role"), e["value"]) for e in merged] == [
        ("weight", None, "2.5"), ("item", None, "充电宝"), ("city", "destination", "深圳")]


def test_merge_keeps_learned_city_when_gazetteer_found_none():
    learned = [_diet("city", 2, 5, "盘古城市", role="destination")]
    merged = merge_entities(learned, rule_entities("寄到盘古城市"))
    assert [(e["entity"], e["value"]) for e in merged] == [("city", "盘古城市")]
    learned = [_diet("city", 2, 5, "蘇州市", role="destination")]
    assert merge_entities(learned, [])[0]["value"] == "苏州"


def test_merge_drops_a_learned_one_character_city():
    # "我有台电脑要寄": DIET tagged 台, which the alias table would have turned into 台湾
    assert merge_entities([_diet("city", 2, 3, "台", role="destination")], []) == []


def test_extractor_process_merges_into_message(normalizer, extractor):
    message = Message.build(text="查件SF1234567890123，寄到蘇州")
    normalizer.process([message])
    message.set("entities", [_diet("tracking_number", 2, 10, "SF123456")], add_to_output=True)
    extractor.process([message])
    entities = message.get("entities")
    assert [(e["entity"], e.get("role"), e["value"]) for e in entities] == [
        ("tracking_number", None, "SF1234567890123"), ("city", "destination", "苏州")]
    assert all(e["extractor"] == "CourierEntityExtractor" for e in entities)


def test_merge_cleans_learned_items():
    learned = [_diet("item", 1, 4, "份文件"), _diet("item", 8, 9, "他")]
    merged = merge_entities(learned, [])
    assert [(e["entity"], e["value"], e["start"]) for e in merged] == [("item", "文件", 2)]
    assert merge_entities([_diet("item", 0, 1, "酒")], [])[0]["value"] == "酒"
    assert merge_entities([_diet("item", 0, 2, "一箱")], [])[0]["value"] == "一箱"


def test_item_nouns_starting_with_a_measure_character_stay_whole():
    for value in ("包裹", "台灯", "本子", "两台电脑"):
        cleaned = merge_entities([_diet("item", 0, len(value), value)], [])[0]["value"]
        assert cleaned == ("电脑" if value == "两台电脑" else value)


def test_merge_drops_a_learned_item_that_labels_a_phone_number():
    text = "帮我查下手机13912084476收的快递"
    learned = [_diet("item", 4, 6, "手机")]
    merged = merge_entities(learned, rule_entities(text), text)
    assert [e["entity"] for e in merged] == ["phone"]
    text = "寄个手机 电话13912084476"
    merged = merge_entities([_diet("item", 2, 4, "手机")], rule_entities(text), text)
    assert [e["entity"] for e in merged] == ["item", "phone"]
