"""Entity extractor that runs after DIET: rules and a gazetteer for formatted entities and cities.

Tracking numbers, phones, ids, weights, sizes and amounts have fixed shapes and need normalised values;
cities come from the geography gazetteer with origin/destination roles. DIET keeps what rules cannot
do (`item`), and its city only when the gazetteer found none (a place missing from the list).
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.component_base import ChineseNluComponent
from bot.nlu.entity_rules import extract_rule_entities
from bot.nlu.places import find_cities
from bot.vocabulary.geography import normalize_place
from bot.vocabulary.script import simplify_keeping_offsets

RULE_ENTITY_TYPES = frozenset(
    {"tracking_number", "phone", "weight", "dimensions", "complaint_id", "claim_id", "amount", "city"}
)


# Items are annotated without their quantity ("一箱[茶叶]"); a learned span sometimes takes the measure word.
# A bare measure word is only stripped when it cannot start a noun itself (包裹, 台灯, 本子 stay whole).
_LEADING_QUANTITY = re.compile(
    r"^(?:[一二两三四五六七八九十几半0-9]+[个份件箱台只些包袋瓶盒双套张本条支把部颗]|[个份箱些])"
)
_PRONOUNS = frozenset({"他", "她", "它", "我", "你", "他们", "她们", "我们", "你们", "这个", "那个"})


def clean_item(entity: dict[str, Any]) -> dict[str, Any] | None:
    """Item without a leading quantity; None for pronouns, which are never what is being sent."""
    value = str(entity.get("value", "")).strip()
    quantity = _LEADING_QUANTITY.match(value)
    if quantity and len(value) > quantity.end():
        value = value[quantity.end():]
        entity = {**entity, "value": value, "start": entity["start"] + quantity.end()}
    if not value or value in _PRONOUNS:
        return None
    return entity


# "查下手机139…": the word before a phone number names the number, it is not a thing being sent.
_PHONE_LABEL_GAP = re.compile(r"^[\s:：号是为]*$")


def _labels_a_phone(item: dict[str, Any], rules: list[dict[str, Any]], text: str | None) -> bool:
    if text is None:
        return False
    return any(rule["entity"] == "phone" and rule["start"] >= item["end"]
               and _PHONE_LABEL_GAP.match(text[item["end"]:rule["start"]]) for rule in rules)


def _spans_overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a["start"] < b["end"] and b["start"] < a["end"]


def rule_entities(text: str, extractor: str = "CourierEntityExtractor") -> list[dict[str, Any]]:
    """Rule and gazetteer entities of text, in Rasa's entity dict format."""
    text = simplify_keeping_offsets(text)
    entities: list[dict[str, Any]] = []
    for found in extract_rule_entities(text):
        entities.append({"entity": found.entity, "start": found.start, "end": found.end,
                         "value": found.value, "confidence_entity": 1.0, "extractor": extractor})
    taken = list(entities)
    for city in find_cities(text):
        entity = {"entity": "city", "start": city.start, "end": city.end, "value": city.value,
                  "confidence_entity": 1.0, "extractor": extractor}
        if city.role:
            entity["role"] = city.role
        if not any(_spans_overlap(entity, other) for other in taken):
            entities.append(entity)
    return sorted(entities, key=lambda e: e["start"])


def merge_entities(
    learned: list[dict[str, Any]], rules: list[dict[str, Any]], text: str | None = None,
) -> list[dict[str, Any]]:
    """Rule entities plus the learned ones rules do not cover.

    Learned entities of rule-owned types are dropped (rules are exact and normalised), except a learned
    city of two characters or more when the gazetteer found no city at all; any learned entity overlapping
    a rule span is dropped, and so is a learned item that only labels the phone number after it.
    """
    rules_found_city = any(e["entity"] == "city" for e in rules)
    merged = list(rules)
    for entity in learned:
        if any(_spans_overlap(entity, rule) for rule in rules):
            continue
        if entity["entity"] == "city":
            # one character is a word far more often than a place (台 in 一台电脑 is no 台湾)
            if rules_found_city or len(str(entity.get("value", ""))) < 2:
                continue
            entity = {**entity, "value": normalize_place(str(entity.get("value", ""))) or entity.get("value")}
        elif entity["entity"] in RULE_ENTITY_TYPES:
            continue
        elif entity["entity"] == "item":
            entity = clean_item(entity)
            if entity is None or _labels_a_phone(entity, rules, text):
                continue
        merged.append(entity)
    return sorted(merged, key=lambda e: e["start"])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class CourierEntityExtractor(ChineseNluComponent, EntityExtractorMixin):
    """Adds rule/gazetteer entities and merges them with DIET's."""

    @staticmethod
    def required_packages() -> list[str]:
        return ["spacy"]

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text:
                continue
            found = rule_entities(text, extractor=self.__class__.__name__)
            merged = merge_entities(message.get(ENTITIES) or [], found, text)
            message.set(ENTITIES, merged, add_to_output=True)
        return messages
