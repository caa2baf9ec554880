"""Quotes (报价): origin, destination and weight → an itemised price at once (issue 16 point 3).

The size and the service level are optional: the first price is the standard service on the actual weight,
with the volumetric rule said beside it, and the customer refines it afterwards ("箱子30x20x10", "换特快"),
which reopens the form with what it knows and prices again.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions.common import BACKEND_DOWN_TEXT, call_backend, format_fen, then_listen
from actions.form_questions import ask_again
from actions.form_validation import FormValidation
from actions.forms_common import (
    SERVICE_LEVEL_TEXT,
    SKIP_RE,
    carries_other_answer,
    cities_by_role,
    entity_value,
    format_kg,
    is_activation,
    is_answer_turn,
    is_off_topic,
    latest_intent,
    latest_text,
    parse_dimensions,
    parse_service_level,
    parse_weight_kg,
    previous_slot_value,
)
from bot.clients.backend import BackendUnavailable, InvalidInput, get_client, idempotency_key
from bot.settings import get_settings
from bot.vocabulary import geography
from bot.vocabulary.numerals import WEIGHT_RE
from bot.vocabulary.script import to_simplified

logger = logging.getLogger(__name__)

NO_DIMENSIONS = "none"
DIMENSIONS_HINT = "尺寸请按“长x宽x高”（厘米）告诉我，比如 30x20x10；不清楚或不需要的话，说“不用”就行。"
SERVICE_LEVEL_HINT = "请选一种服务：回复“标准”（更实惠）或“特快”（更快）就可以；拿不准的话就按标准快递算。"
WEIGHT_HINT = "请告诉我包裹大概的重量，比如“3公斤”或“半斤”，估一个数就可以。"
CITY_HINTS = {
    "origin": "请告诉我从哪个城市寄出，比如“杭州”“北京”。",
    "destination": "请告诉我寄到哪个城市，比如“广州”“成都”。",
}
# "尺寸不知道" said anywhere (even in the first message): the optional size question is answered.
SIZE_UNKNOWN_RE = re.compile(r"(?:尺寸|大小|长宽高)\S{0,2}(?:不知道|不清楚|没量|不确定|不用|不需要)|(?:不知道|不清楚|没量)\S{0,2}(?:尺寸|大小|长宽高)")
BARE_SKIP_RE = re.compile(r"^(不用|不需要|不要|没有|没量|不用量|跳过|不知道)了?(吧|啦|哦|呢)?[。.!！~～]*$")
# "随便" for the service level: the cheaper one, which the quote also assumes when none is chosen.
ANY_LEVEL_RE = re.compile(r"随便|都行|都可以|无所谓|不知道|不清楚|你定|看着办")
MAX_WEIGHT_KG = Decimal("10000")
# What a price needs; the size is asked only when the customer offers to give it.
PRICE_NEEDS = ("origin", "destination", "weight")
# "按尺寸重算" (the quote's button) or "我量一下尺寸": the customer will give the size next.
SIZE_OFFER_RE = re.compile(r"按(?:箱子)?(?:尺寸|体积|长宽高)|(?:尺寸|体积)重算|(?:给|告诉|报|发)(?:你|您)?(?:一下)?(?:箱子)?(?:的)?(?:尺寸|长宽高)"
                           r"|量(?:一下|了)?(?:箱子)?(?:的)?(?:尺寸|长宽高)")
RESIZE_BUTTON = {"title": "按尺寸重算", "payload": "按尺寸重算"}
OTHER_LEVEL_BUTTON = {"standard": {"title": "换特快", "payload": "换特快"},
                      "express": {"title": "换标准快递", "payload": "换标准"}}
PICKUP_BUTTON = {"title": "预约上门取件", "payload": "/schedule_pickup"}


_DIMENSIONS_IN_TEXT = re.compile(r"\d+(?:\.\d+)?\s*[x×*乘]\s*\d+(?:\.\d+)?\s*[x×*乘]\s*\d+(?:\.\d+)?\s*(?:cm|厘米|公分|m|米)?"
                                 r"|长\D{0,2}\d+(?:\.\d+)?\D{0,4}宽\D{0,2}\d+(?:\.\d+)?\D{0,4}高\D{0,2}\d+(?:\.\d+)?", re.I)


def weight_in_text(text: str) -> str | None:
    """A weight written with its unit anywhere in the message ("两箱茶叶十斤"), never a size's numbers."""
    kept = _DIMENSIONS_IN_TEXT.sub("，", text)
    if not WEIGHT_RE.search(kept):
        return None
    kg = parse_weight_kg(kept)
    return format_kg(kg) if kg is not None else None


def quote_details(tracker: Tracker) -> set[str]:
    """Which quote slots the latest message holds a value for, read from its text and the NLU's entities."""
    text = latest_text(tracker)
    found: set[str] = set()
    if cities_by_role(tracker):
        found |= set(cities_by_role(tracker))
    if entity_value(tracker, "weight") or weight_in_text(text):
        found.add("weight")
    if parse_dimensions(entity_value(tracker, "dimensions") or text):
        found.add("dimensions")
    if parse_service_level(text):
        found.add("service_level")
    return found


def holds_other_details(tracker: Tracker, own: str) -> bool:
    """The message answers something else ("寄到成都，40*30*20" asked for the weight)."""
    return bool(quote_details(tracker) - {own}) or carries_other_answer(tracker, own)


def refines_last_price(tracker: Tracker) -> bool:
    """"换特快", "箱子30x20x10" or "按尺寸重算" once a price was given: the same parcel priced again, even
    when the classifier files it as a new request."""
    if not all(tracker.get_slot(slot) for slot in PRICE_NEEDS):
        return False
    found = quote_details(tracker)
    if found & set(PRICE_NEEDS):
        return False
    return bool(found) or bool(SIZE_OFFER_RE.search(latest_text(tracker)))


def _fresh_request(tracker: Tracker, intent: str) -> bool:
    """A new "多少钱" starts over; an `inform` that reopens the form is a correction and keeps the rest."""
    return is_activation(tracker) and latest_intent(tracker) == intent and not refines_last_price(tracker)


def city_answer(
    slot: str, tracker: Tracker, fresh_intent: str,
    dispatcher: CollectingDispatcher | None = None, domain: DomainDict | None = None,
) -> dict[str, Any]:
    if not is_answer_turn(tracker):
        return {}
    cities = cities_by_role(tracker)
    if slot in cities:
        return {slot: cities[slot]}
    if _fresh_request(tracker, fresh_intent):
        return {slot: None}
    if tracker.get_slot("requested_slot") == slot:
        if is_off_topic(tracker):
            return {}  # answered by the off-topic rule, then the question once
        if dispatcher is not None and not carries_other_answer(tracker, "city"):
            ask_again(dispatcher, domain or {}, slot, CITY_HINTS[slot])
        return {slot: None}
    return {}


def validate_city(slot: str, value: Any, dispatcher: CollectingDispatcher,
                  domain: DomainDict | None = None) -> dict[str, Any]:
    if not value:
        return {slot: None}
    city = geography.normalize_place(str(value))
    if not city:
        return FormValidation.refuse(dispatcher, domain or {}, slot,
                                     f"抱歉，没找到“{value}”这个地方，请告诉我城市名，比如“杭州”“北京”。")
    if geography.is_outside_mainland(city):
        return FormValidation.refuse(dispatcher, domain or {}, slot,
                                     f"抱歉，寄往或寄自{city}的快递暂时不能在线办理，需要的话可以回复“转人工”咨询人工客服；"
                                     "寄其他城市的话，直接告诉我城市名就好。")
    return {slot: city}


def acknowledge_correction(slot: str, label: str, new: Any, tracker: Tracker,
                           dispatcher: CollectingDispatcher) -> None:
    old = previous_slot_value(tracker, slot)
    if old and new and str(old) != str(new):
        dispatcher.utter_message(text=f"好的，{label}已改为 {new}。")


class ValidateQuoteForm(FormValidation):
    def name(self) -> str:
        return "validate_quote_form"

    async def extract_origin(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> dict[str, Any]:
        return city_answer("origin", tracker, "request_quote", dispatcher, domain)

    async def extract_destination(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> dict[str, Any]:
        return city_answer("destination", tracker, "request_quote", dispatcher, domain)

    async def extract_weight(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> dict[str, Any]:
        if not is_answer_turn(tracker):
            return {}
        entity = entity_value(tracker, "weight")
        if entity:
            return {"weight": entity}
        written = weight_in_text(latest_text(tracker))
        if written:
            return {"weight": written}
        asked = self.is_asked(tracker, "weight")
        if asked:
            if holds_other_details(tracker, "weight"):
                return {"weight": None}  # "寄到成都，40*30*20": no weight in it, its numbers are a size
            kg = parse_weight_kg(latest_text(tracker))
            if kg is None and is_off_topic(tracker):
                return {}
            return {"weight": format_kg(kg) if kg is not None else None}
        if _fresh_request(tracker, "request_quote"):
            text = latest_text(tracker)
            kg = parse_weight_kg(text) if WEIGHT_RE.search(text) else None
            return {"weight": format_kg(kg) if kg is not None else None}
        return {}

    async def extract_dimensions(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> dict[str, Any]:
        text = latest_text(tracker)
        if self.is_asked(tracker, "dimensions") and BARE_SKIP_RE.match(text):
            # A bare "不用了" answers this optional question (the complaint and claim forms read it the same
            # way); "算了" or "取消" still cancel.
            return {"dimensions": NO_DIMENSIONS}
        if not is_answer_turn(tracker):
            return {}
        sizes = parse_dimensions(entity_value(tracker, "dimensions") or text)
        if sizes:
            return {"dimensions": "x".join(str(s) for s in sizes)}
        if SIZE_UNKNOWN_RE.search(text):
            return {"dimensions": NO_DIMENSIONS}
        if SIZE_OFFER_RE.search(text):
            return {"dimensions": None}  # asked next (next_requested_slot)
        asked = self.is_asked(tracker, "dimensions")
        if asked and carries_other_answer(tracker, "dimensions"):
            return {}
        if asked and (SKIP_RE.search(text) or latest_intent(tracker) == "deny"):
            return {"dimensions": NO_DIMENSIONS}
        if asked and is_off_topic(tracker):
            return {}
        if asked:
            return self.refuse(dispatcher, domain, "dimensions", DIMENSIONS_HINT)
        if _fresh_request(tracker, "request_quote"):
            return {"dimensions": None}
        return {}

    async def extract_service_level(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> dict[str, Any]:
        if not is_answer_turn(tracker):
            return {}
        text = latest_text(tracker)
        level = parse_service_level(text)
        if level:
            return {"service_level": level}
        asked = self.is_asked(tracker, "service_level")
        if asked and ANY_LEVEL_RE.search(text):
            return {"service_level": "standard"}
        if asked and is_off_topic(tracker):
            return {}
        if asked and not carries_other_answer(tracker, ""):
            return self.refuse(dispatcher, domain, "service_level", SERVICE_LEVEL_HINT)
        if _fresh_request(tracker, "request_quote"):
            return {"service_level": None}
        return {}

    async def next_requested_slot(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> EventType:
        """Origin, destination and weight are asked; then the form ends and the price is given at once.

        The size is asked only while its question stands or when the customer offers it ("按尺寸重算");
        the service level never is: the price says which one it is and offers the other.
        """
        missing = next((slot for slot in PRICE_NEEDS if tracker.slots.get(slot) is None), None)
        if missing:
            return SlotSet(REQUESTED_SLOT, missing)
        if tracker.slots.get("dimensions") is None and (
                self.is_asked(tracker, "dimensions") or SIZE_OFFER_RE.search(latest_text(tracker))):
            return SlotSet(REQUESTED_SLOT, "dimensions")
        return SlotSet(REQUESTED_SLOT, None)

    def validate_origin(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                        domain: DomainDict) -> dict[str, Any]:
        result = validate_city("origin", value, dispatcher, domain)
        acknowledge_correction("origin", "寄出城市", result["origin"], tracker, dispatcher)
        return result

    def validate_destination(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> dict[str, Any]:
        result = validate_city("destination", value, dispatcher, domain)
        acknowledge_correction("destination", "目的地", result["destination"], tracker, dispatcher)
        return result

    def validate_weight(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                        domain: DomainDict) -> dict[str, Any]:
        return validate_weight_value(value, dispatcher, tracker, domain)

    def validate_dimensions(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: DomainDict) -> dict[str, Any]:
        if value == NO_DIMENSIONS:
            return {"dimensions": NO_DIMENSIONS}
        sizes = parse_dimensions(str(value or ""))
        if not sizes or not all(0 < s <= 1000 for s in sizes):
            if value:
                ask_again(dispatcher, domain, "dimensions",
                          "这个尺寸好像不太对。" + DIMENSIONS_HINT)
            return {"dimensions": None}
        return {"dimensions": "x".join(str(s) for s in sizes)}

    def validate_service_level(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> dict[str, Any]:
        return {"service_level": value if value in SERVICE_LEVEL_TEXT else None}


def validate_weight_value(value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: DomainDict | None = None) -> dict[str, Any]:
    if value in (None, ""):
        if tracker.get_slot("requested_slot") == "weight":
            ask_again(dispatcher, domain or {}, "weight", WEIGHT_HINT)
        return {"weight": None}
    kg = parse_weight_kg(str(value))
    if kg is None or kg <= 0 or kg > MAX_WEIGHT_KG:
        return FormValidation.refuse(dispatcher, domain or {}, "weight",
                                     "这个重量好像不太对，请告诉我包裹大概几公斤，比如“3公斤”。")
    text = format_kg(kg)
    old = previous_slot_value(tracker, "weight")
    if old and str(old) != text:
        dispatcher.utter_message(text=f"好的，重量已改为 {text} 公斤。")
    return {"weight": text}


_DECLARED_RE = re.compile(r"(?:保价|价值|值)\D{0,4}?(\d+(?:\.\d+)?)\s*(?:元|块|rmb)?", re.I)


def declared_value_fen(tracker: Tracker) -> int | None:
    """"保价2000元" said anywhere since the quote form opened → the declared value, so the quote shows 保价费."""
    opened = False
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop" and event.get("name") == "quote_form":
            opened = True  # the message that opened the form comes just before
            continue
        if event.get("event") != "user":
            continue
        match = _DECLARED_RE.search(to_simplified(event.get("text") or ""))
        if match:
            return int(Decimal(match.group(1)) * 100)
        if opened:
            break
    return None


def quote_payload(tracker: Tracker) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "origin": tracker.get_slot("origin"),
        "destination": tracker.get_slot("destination"),
        "weight_kg": str(tracker.get_slot("weight")),
        "service_level": tracker.get_slot("service_level") or "standard",
    }
    dims = tracker.get_slot("dimensions")
    sizes = parse_dimensions(dims) if dims and dims != NO_DIMENSIONS else None
    if sizes:
        payload.update(length_cm=sizes[0], width_cm=sizes[1], height_cm=sizes[2])
    declared = declared_value_fen(tracker)
    if declared:
        payload["declared_value_fen"] = declared
    return payload


def _due_text(value: str | None) -> str:
    try:
        due = datetime.fromisoformat(value or "")
    except ValueError:
        return ""
    return f"（{due.month}月{due.day}日 {due:%H:%M} 前）"


def format_quote(payload: dict[str, Any], quote: dict[str, Any]) -> str:
    level = SERVICE_LEVEL_TEXT.get(quote.get("service_level") or payload["service_level"], "")
    zone = f"（{quote['zone_text']}）" if quote.get("zone_text") else ""
    lines = [f"从{payload['origin']}寄到{payload['destination']}{zone}，{level}："]
    weight = f"计费重量 {format_kg(quote.get('chargeable_weight_kg', payload['weight_kg']))} 公斤"
    volumetric = quote.get("volumetric_weight_kg")
    if volumetric not in (None, 0, "0") and "length_cm" in payload:
        weight += (f"（实际 {format_kg(quote.get('actual_weight_kg', payload['weight_kg']))} 公斤，"
                   f"体积重 {format_kg(volumetric)} 公斤，取较大者）")
    lines.append(weight)
    for item in quote.get("items") or []:
        lines.append(f"· {item.get('label')}：{format_fen(item.get('amount_fen'))}")
    lines.append(f"合计：{format_fen(quote.get('total_fen'))}")
    if quote.get("delivery_text"):
        lines.append(f"时效：{quote['delivery_text']}")
    lines.append("以上为预估价格，最终以快递员上门称重为准。")
    lines.extend(refine_offer(payload, quote))
    return "\n".join(lines)


def quoted_level(payload: dict[str, Any], quote: dict[str, Any]) -> str:
    return quote.get("service_level") or payload["service_level"]


def refine_offer(payload: dict[str, Any], quote: dict[str, Any]) -> list[str]:
    """What could change the price, and how to ask for it: a size when none was given, the other service."""
    lines = []
    if "length_cm" not in payload:
        divisor = quote.get("volumetric_divisor")
        rule = f"（长×宽×高厘米 ÷ {divisor}）" if divisor else ""
        lines.append(f"这是按实际重量算的；如果箱子比较大但很轻，会按体积重{rule}计费，取两者中较大的。"
                     "告诉我箱子尺寸（比如“箱子30x20x10”），我帮您重新算。")
    if quoted_level(payload, quote) == "standard":
        lines.append("想更快送到的话，回复“换特快”，我按特快重新报价。")
    else:
        lines.append("想省一点的话，回复“换标准”，我按标准快递重新报价。")
    return lines


def quote_buttons(payload: dict[str, Any], quote: dict[str, Any]) -> list[dict[str, Any]]:
    buttons = [] if "length_cm" in payload else [RESIZE_BUTTON]
    return [*buttons, OTHER_LEVEL_BUTTON[quoted_level(payload, quote)], PICKUP_BUTTON]


class ActionQuote(Action):
    def name(self) -> str:
        return "action_quote"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        payload = quote_payload(tracker)
        key = idempotency_key(tracker.sender_id, "quote", payload)
        try:
            quote = await call_backend(get_client().create_quote, payload, key)
        except InvalidInput as error:
            return self._invalid(dispatcher, error)
        except BackendUnavailable:
            dispatcher.utter_message(text=BACKEND_DOWN_TEXT)
            return then_listen([])
        if not quote.get("quotable", True):
            request = quote.get("quote_request") or {}
            hours = get_settings().quote_reply_hours
            reason = f"（{quote['reason']}）" if quote.get("reason") else ""
            dispatcher.utter_message(
                text=f"您的货物属于特殊货物{reason}，需要专人核价。已为您登记报价申请，单号 {request.get('number')}，"
                f"我们会在 {hours} 小时内{_due_text(request.get('due_at'))}回复您准确报价。"
            )
            return then_listen([])
        dispatcher.utter_message(text=format_quote(payload, quote), buttons=quote_buttons(payload, quote))
        return then_listen([])

    @staticmethod
    def _invalid(dispatcher: CollectingDispatcher, error: InvalidInput) -> list[EventType]:
        if error.code in ("unknown_city", "not_covered"):
            dispatcher.utter_message(text=error.message or "抱歉，这个城市暂时不在我们的服务范围内，请换一个城市试试。")
            slots = [error.detail["field"]] if error.detail.get("field") in ("origin", "destination") \
                else ["origin", "destination"]
            return [*(SlotSet(slot, None) for slot in slots), FollowupAction("quote_form")]
        if error.code == "declared_value_too_high":
            dispatcher.utter_message(text=error.message)
            return []
        dispatcher.utter_message(text=error.message or "抱歉，这些信息暂时没法报价，请核对后再试。")
        return [SlotSet("weight", None), SlotSet("dimensions", None), FollowupAction("quote_form")]
