"""A message that is nothing but entities and filler words is an answer to a question: `inform`.

"15208717882", "江苏省", "运单号是SF2138…", "武汉去宁波", "保价3000块钱吧" are what customers type when the
assistant has just asked for a phone, a city, a number or a value. The learned classifier often reads the
entity's topic instead (a tracking number → track_parcel); this rule runs after the entity extractor and
before the FallbackClassifier, and only when nothing but entities and fillers remain.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.component_base import ChineseNluComponent

INFORM = "inform"

# Words that introduce or soften an answer without asking for anything. Longest first when stripping.
FILLERS = sorted(
    {
        "快递单号", "运单号", "订单号", "单号", "号码", "手机号码", "手机号", "手机",
        "电话号码", "电话", "联系方式", "联系电话", "收件人电话", "收件人手机", "寄件人电话", "寄件人手机",
        "收件人", "寄件人", "是", "係", "就是", "这个单", "这个", "那个", "这单", "我的", "我", "的", "打这个",
        "吧", "啊", "呀", "哦", "嗯", "了", "哈", "喔", "就行", "就好", "可以", "左右", "大概", "大约", "约",
        "差不多", "多一点", "一点", "以内", "以下", "重", "重量", "有", "尺寸", "大小", "箱子大小", "箱子", "长宽高",
        "cm", "厘米", "保价", "价值", "声明价值", "金额", "值", "从", "由", "到", "寄到", "寄去", "寄往", "发往",
        "发到", "发", "去", "寄", "送到", "往", "至", "→", "->", "出发地", "目的地", "收货地", "发货地", "寄件城市",
        "收件城市", "城市", "在", "和", "还有", "与",
    },
    key=len,
    reverse=True,
)
_NOISE = re.compile(r"[\s，,。.!！?？~～、:：;；/\-—…\"'“”‘’()（）\U0001F300-\U0001FAFF\u2600-\u27BF]+")


def is_bare_answer(text: str, entities: list[dict[str, Any]]) -> bool:
    """True when text has entities and nothing else but filler words and punctuation."""
    if not entities:
        return False
    rest = list(text)
    for entity in entities:
        for index in range(entity["start"], min(entity["end"], len(rest))):
            rest[index] = " "
    remainder = _NOISE.sub(" ", "".join(rest)).lower()
    for chunk in remainder.split():
        while chunk:
            filler = next((f for f in FILLERS if chunk.startswith(f)), None)
            if filler is None:
                return False
            chunk = chunk[len(filler):]
    return True


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class BareAnswerClassifier(ChineseNluComponent):
    """Sets `inform` (confidence 1) for messages made only of entities and filler words."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if isinstance(text, str) and is_bare_answer(text, message.get(ENTITIES) or []):
                ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != INFORM]
                inform = {"name": INFORM, "confidence": 1.0}
                # The rule decides: other intents stay listed for inspection but cannot tie with it.
                others = [{**r, "confidence": 0.0} for r in ranking]
                message.set(INTENT, inform, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [inform, *others], add_to_output=True)
        return messages
