"""The anger scorer and its NLU component: angry customers in both scripts, and calm ones left alone."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.anger import AngerDetector, mood_entity, score_anger
from bot.nlu.script_normalizer import ScriptNormalizer
from bot.vocabulary.script import to_traditional

ANGRY = [
    # insults and profanity
    "垃圾快递",
    "你们这破快递，到底还要等多久！！！",
    "什么破服务",
    "这什么玩意啊",
    "你们就是骗子",
    "坑人的公司",
    "他妈的到底送不送",
    "客服是不是傻逼",
    "你们公司真是黑心",
    # exasperation
    "气死我了",
    "我受够了",
    "忍无可忍了",
    "到底还要等多久",
    "你们到底要我再等几天",
    "这是我第三次问了",
    "第4次联系你们了",
    "说了多少遍了还不处理",
    "催了好多次都没人管",
    "你们客服什么态度",
    "一直在敷衍我",
    "我很生气",
    # escalation threats
    "再不处理我就投诉到邮政局",
    "我要打12305",
    "我要去315曝光你们",
    "我要报警",
    "我要找律师起诉你们",
    "我要去消协告你们",
    # shouting and emoji
    "怎么还没到？？？！！！",
    "快递呢😡",
    "🤬",
    "到底什么时候到！！！",
    "太差了！！！",
]

CALM = [
    "我要投诉快递员态度不好",
    "包裹好像丢了",
    "怎么还没到",
    "怎么还没到？",
    "到底什么时候能到",
    "快递员态度很差，我要投诉",
    "我的包裹三天了还没到，能帮我查一下吗",
    "东西摔坏了，我要理赔",
    "什么东西不能寄",
    "包裹被放在垃圾桶旁边了",
    "收到垃圾短信说我快递丢了",
    "有人打电话说我快递丢了要我转账，是不是骗子",
    "包裹被偷了需要报警吗",
    "运费315元可以吗",
    "我的电话是13153151234",
    "查件 ZT100000000315",
    "请问投诉电话是多少",
    "第二次寄件有优惠吗",
    "谢谢！！",
    "太好了!!!",
    "转人工",
    "不生气，就是想问问进度",
    "我要投诉，快递员没打电话就把包裹放驿站了",
    "投诉进度怎么样了",
]


@pytest.mark.parametrize("text", ANGRY)
def test_angry_simplified(text: str) -> None:
    assert score_anger(text).angry, score_anger(text)


@pytest.mark.parametrize("text", ANGRY)
def test_angry_traditional(text: str) -> None:
    traditional = to_traditional(text)
    assert score_anger(traditional).angry, (traditional, score_anger(traditional))


@pytest.mark.parametrize("text", CALM)
def test_calm_simplified(text: str) -> None:
    assert not score_anger(text).angry, score_anger(text)


@pytest.mark.parametrize("text", CALM)
def test_calm_traditional(text: str) -> None:
    traditional = to_traditional(text)
    assert not score_anger(traditional).angry, (traditional, score_anger(traditional))


@pytest.mark.parametrize("text", ["靠北喔，到底送不送", "你們這些騙子", "氣死我了，這是第三次問了", "仆街，咁耐都未到"])
def test_taiwan_and_hong_kong_words(text: str) -> None:
    assert score_anger(text).angry, score_anger(text)


def test_weak_signals_need_company() -> None:
    assert not score_anger("到底什么时候到").angry
    assert not score_anger("怎么还没到！！！").angry
    assert score_anger("到底什么时候到！！！").angry


def test_a_repeated_insult_counts_once() -> None:
    assert score_anger("垃圾！垃圾！").score == score_anger("垃圾").score


def test_the_entity_spans_the_cues_in_the_original_text() -> None:
    text = "你們這破快遞，到底還要等多久！！！"
    entity = mood_entity(text)
    assert entity is not None
    assert (entity["entity"], entity["value"], entity["extractor"]) == ("mood", "angry", "AngerDetector")
    assert text[entity["start"]:entity["end"]].startswith("破快遞") and text[entity["start"]:entity["end"]].endswith("！！！")
    assert mood_entity("包裹好像丢了") is None


@pytest.fixture
def components(tmp_path):
    storage = LocalModelStorage.create(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    normalizer = ScriptNormalizer.create({}, storage, Resource("normalizer"), context)
    detector = AngerDetector.create({}, storage, Resource("anger"), context)
    return normalizer, detector


def test_the_component_adds_mood_after_the_normaliser_and_keeps_other_entities(components) -> None:
    normalizer, detector = components
    city = {"entity": "city", "start": 0, "end": 2, "value": "上海", "extractor": "CourierEntityExtractor"}
    angry = Message(data={"text": "上海的網點太垃圾了😡", "entities": [city]})
    calm = Message(data={"text": "包裹好像丟了", "entities": []})
    detector.process(normalizer.process([angry, calm]))
    assert angry.get("entities")[0] == city
    assert [(e["entity"], e["value"]) for e in angry.get("entities")[1:]] == [("mood", "angry")]
    assert angry.get("intent") is None  # the intent is the classifiers' business
    assert calm.get("entities") == []
