"""Pickup booking (上门取件): collect, confirm with a summary, book; prohibited items refused with the reason."""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import call_backend, format_fen
from actions.form_questions import ask_again
from actions.form_validation import PHONE_HINT, PHONE_KINDS, FormValidation
from actions.forms_common import (
    AFFIRM_RE,
    DENY_RE,
    cities_by_role,
    cities_in_text,
    entity_value,
    is_answer_turn,
    is_off_topic,
    is_off_topic_question,
    latest_intent,
    latest_text,
    previous_slot_value,
)
from actions.pickup_reading import is_correction, read_pickup_message
from actions.quotes import validate_city
from bot.clients.backend import BackendUnavailable, InvalidInput, get_client, idempotency_key
from bot.vocabulary import geography
from bot.vocabulary.phones import first_mobile, mask_phone, normalise_mobile
from bot.vocabulary.time_windows import describe, find_time_window

logger = logging.getLogger(__name__)

_TIME_CUE = re.compile(r"今天|明天|后天|今晚|明早|上午|下午|中午|晚上|早上|傍晚|点|[:：]|周|星期|礼拜|号|现在|尽快|马上|随时|"
                       r"工作日|\d")
_CHANGE_TO = re.compile(r"(?:改成|改为|换成|换为|应该是|其实是|是|为|：|:)\s*(.+?)[。！!]*$")

# Which field a correction talks about, most specific words first.
FIELD_WORDS: list[tuple[str, re.Pattern[str]]] = [
    ("sender_phone", re.compile(r"电话|手机|号码")),
    ("pickup_address", re.compile(r"地址|上门地点|取件地点")),
    ("destination", re.compile(r"目的地|寄到|寄往|收件城市|城市")),
    ("item", re.compile(r"物品|东西|寄的|货物|品名")),
    ("time_window", re.compile(r"时间|几点|上门时间")),
    ("sender_name", re.compile(r"姓名|名字|称呼|寄件人|联系人")),
]
FIELD_LABELS = {
    "sender_name": "寄件人", "sender_phone": "电话", "pickup_address": "取件地址",
    "destination": "目的地", "item": "物品", "time_window": "上门时间",
}
EDITABLE = list(FIELD_LABELS)

BOOKING_DOWN_TEXT = (
    "非常抱歉，系统暂时繁忙，预约还没有提交成功，您填的信息都已保留。稍后回复“确认”即可重新提交"
    "（不会重复下单），或者回复“转人工”由人工客服为您处理。"
)


def phone_in(tracker: Tracker) -> str | None:
    for candidate in [entity_value(tracker, "phone") or "", latest_text(tracker)]:
        phone = first_mobile(candidate)
        if phone:
            return phone
    return None


def _clean(text: str, prefixes: str) -> str:
    text = re.sub(rf"^({prefixes})[:：\s]*", "", text.strip())
    return text.strip(" ，,。.!！~～")


def detect_field(text: str) -> str | None:
    for slot, pattern in FIELD_WORDS:
        if pattern.search(text):
            return slot
    return None


def new_value_in(text: str, field: str) -> str | None:
    """"地址改成文三路100号" → "文三路100号"; None when only the field was named."""
    pattern = dict(FIELD_WORDS)[field]
    after_field = text[pattern.search(text).end():] if pattern.search(text) else text  # type: ignore[union-attr]
    match = _CHANGE_TO.search(after_field)
    value = (match.group(1) if match else "").strip(" ，,")
    return value or None


def changed_fields(tracker: Tracker) -> list[str]:
    """Fields this very message changed (a correction given together with "不对")."""
    changed = []
    for slot in EDITABLE:
        old, new = previous_slot_value(tracker, slot), tracker.get_slot(slot)
        if old is not None and new is not None and str(old) != str(new):
            changed.append(slot)
    return changed


class ValidatePickupForm(FormValidation):
    """Every detail a message holds fills its own slot, whichever question was asked (actions/pickup_reading.py);
    the free-text answer to the question asked is taken only from a message that holds no other detail."""

    def name(self) -> str:
        return "validate_pickup_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        editing_before = tracker.get_slot("pickup_edit_pending")
        asked = self.asked(tracker)
        events = await super().run(dispatcher, tracker, domain)
        # The SDK only returns required slots; the "which field to change" flag is a side slot.
        editing_after = tracker.slots.get("pickup_edit_pending")
        if editing_after != editing_before:
            events.append(SlotSet("pickup_edit_pending", editing_after))
        self._acknowledge_other_answers(asked, events, dispatcher)
        return events

    @staticmethod
    def _acknowledge_other_answers(asked: str | None, events: list[EventType],
                                   dispatcher: CollectingDispatcher) -> None:
        """Asked one thing and told another ("明天下午" for the name): say what was noted; the question follows."""
        if asked not in FIELD_LABELS:
            return
        set_now = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
        if set_now.get(asked) not in (None, ""):
            return
        noted = [f"{FIELD_LABELS[slot]} {mask_phone(value) if slot == 'sender_phone' else value}"
                 for slot, value in set_now.items() if slot in FIELD_LABELS and slot != asked and value]
        if noted:
            dispatcher.utter_message(text=f"好的，已记下：{'，'.join(noted)}。")

    # ---- extraction: what this message answers ----------------------------------------------------------
    def taken(self, slot: str, tracker: Tracker) -> dict[str, Any] | None:
        """{slot: value} when the message holds a value for `slot`; {} when it holds one that must not replace
        the value already given; None when it holds none."""
        if not is_answer_turn(tracker):
            return {}
        found = read_pickup_message(tracker)
        if slot not in found:
            return None
        asked = self.asked(tracker)
        # a value given before is replaced when asked again, at the summary, or with "不对/改成…"
        if not tracker.get_slot(slot) or asked in (None, slot, "pickup_confirmed") or is_correction(tracker):
            return {slot: found[slot]}
        return {}

    def free_answer_turn(self, slot: str, tracker: Tracker) -> bool:
        """The question for `slot` was asked and the message holds no recognised detail at all."""
        return (self.is_asked(tracker, slot) and is_answer_turn(tracker)
                and not read_pickup_message(tracker))

    async def extract_sender_name(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> dict[str, Any]:
        taken = self.taken("sender_name", tracker)
        if taken is not None:
            return taken
        if not self.free_answer_turn("sender_name", tracker) or is_off_topic_question(tracker):
            return {}
        return {"sender_name": _clean(latest_text(tracker), "我叫|我是|叫我|姓名是?|名字是?|寄件人是?|称呼")}

    async def extract_sender_phone(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> dict[str, Any]:
        taken = self.taken("sender_phone", tracker)
        if taken is not None:
            return taken
        phone = phone_in(tracker) if is_answer_turn(tracker) else None
        if phone:  # the NLU's phone entity, in a message the recognisers read nothing from
            return {"sender_phone": phone}
        if not self.free_answer_turn("sender_phone", tracker) or is_off_topic(tracker):
            return {}
        hint = (PHONE_HINT if re.search(r"\d", latest_text(tracker))
                else f"快递员上门前要电话联系您，麻烦留一个{PHONE_KINDS}。")
        return self.refuse(dispatcher, domain, "sender_phone", hint)

    async def extract_pickup_address(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> dict[str, Any]:
        taken = self.taken("pickup_address", tracker)
        if taken is not None:
            return taken
        if not self.free_answer_turn("pickup_address", tracker):
            return {}
        if is_off_topic(tracker) and not cities_in_text(latest_text(tracker)):
            return {}  # an address names a city; without one this is no address
        return {"pickup_address": _clean(latest_text(tracker), "取件地址是?|地址是?|在|我在|我家在|上门到")}

    async def extract_destination(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> dict[str, Any]:
        taken = self.taken("destination", tracker)
        if taken is not None:
            return taken
        if not self.is_asked(tracker, "destination") or not is_answer_turn(tracker):
            return {}
        found = read_pickup_message(tracker)
        if found and "pickup_address" not in found:
            return {}  # other details, no city: the question comes again after they are noted
        city = cities_by_role(tracker).get("destination") or next(iter(cities_in_text(latest_text(tracker))), None)
        if "pickup_address" in found:
            city = None  # the city of an address is where the parcel leaves from
        if not city and is_off_topic(tracker):
            return {}
        if not city and not found:
            ask_again(dispatcher, domain, "destination", "请告诉我寄到哪个城市，比如“广州”“成都”。")
        return {"destination": city} if city or not found else {}

    async def extract_item(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict) -> dict[str, Any]:
        taken = self.taken("item", tracker)
        if taken is not None:
            return taken
        if not self.free_answer_turn("item", tracker) or is_off_topic_question(tracker):
            return {}
        # the whole answer ("一箱书") says more than the entity ("书")
        return {"item": _clean(latest_text(tracker), "寄的是|要寄的是|是|寄|物品是?|东西是?")
                or entity_value(tracker, "item")}

    async def extract_time_window(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> dict[str, Any]:
        found = read_pickup_message(tracker) if is_answer_turn(tracker) else {}
        only_the_time = self.is_asked(tracker, "time_window") and set(found) == {"time_window"}
        taken = None if only_the_time else self.taken("time_window", tracker)
        if taken is not None:
            return taken
        # asked for the time, the whole answer is kept: "周一到周五都行" says more than its first day
        if not (only_the_time or self.free_answer_turn("time_window", tracker)):
            return {}
        text = latest_text(tracker)
        # "今天天气怎么样" names a day but asks about something else
        if is_off_topic(tracker) and (not _TIME_CUE.search(text) or is_off_topic_question(tracker)):
            return {}
        return {"time_window": _clean(latest_text(tracker), "时间是?|希望|想要|麻烦|请")}

    async def extract_pickup_confirmed(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                       domain: DomainDict) -> dict[str, Any]:
        if not (self.is_asked(tracker, "pickup_confirmed") and is_answer_turn(tracker)):
            return {}
        text = latest_text(tracker)
        changed = changed_fields(tracker)
        if changed:
            dispatcher.utter_message(text=f"好的，{'、'.join(FIELD_LABELS[f] for f in changed)}已更新。")
            return {"pickup_confirmed": None, "pickup_edit_pending": False}
        field = detect_field(text)
        editing = bool(tracker.get_slot("pickup_edit_pending"))
        if field and (editing or DENY_RE.search(text) or not AFFIRM_RE.match(text)):
            value = new_value_in(text, field)
            if value:
                dispatcher.utter_message(text=f"好的，{FIELD_LABELS[field]}改为：{value}")
                return {field: value, "pickup_confirmed": None, "pickup_edit_pending": False}
            return {field: None, "pickup_confirmed": None, "pickup_edit_pending": False}
        if not editing and (latest_intent(tracker) == "affirm" or AFFIRM_RE.match(text)) \
                and not DENY_RE.search(text):
            return {"pickup_confirmed": True, "pickup_edit_pending": False}
        if is_off_topic(tracker) and not field:
            return {}  # answered by the off-topic rule; the summary is shown again
        dispatcher.utter_message(
            text="好的，请问要修改哪一项？也可以直接告诉我新的内容，比如“电话改成13912345678”。",
            buttons=[{"title": label, "payload": f"改{label}"} for label in FIELD_LABELS.values()],
        )
        return {"pickup_confirmed": None, "pickup_edit_pending": True}

    # ---- validation: is the answer usable --------------------------------------------------------------
    def validate_pickup_confirmed(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> dict[str, Any]:
        return {"pickup_confirmed": True if value is True else None}

    def validate_sender_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> dict[str, Any]:
        name = str(value or "").strip()
        if not name or len(name) > 20 or re.search(r"\d", name):
            return self.refuse(dispatcher, domain, "sender_name", "请告诉我寄件人的姓名或称呼，比如“张先生”。")
        return {"sender_name": name}

    def validate_sender_phone(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> dict[str, Any]:
        return {"sender_phone": value if value and normalise_mobile(value) == value else None}

    def validate_pickup_address(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> dict[str, Any]:
        address = str(value or "").strip()
        if len(address) < 5 or len(address) > 200:
            return self.refuse(dispatcher, domain, "pickup_address",
                      "地址好像不太完整，请发一下详细地址，带上城市、区和门牌号，比如“杭州市西湖区文三路100号”。")
        cities = cities_in_text(address)
        if not cities:
            return self.refuse(dispatcher, domain, "pickup_address",
                      "请在地址里带上城市名，比如“杭州市西湖区文三路100号”，方便安排附近的快递员。")
        if geography.is_outside_mainland(cities[0]):
            return self.refuse(dispatcher, domain, "pickup_address",
                      f"抱歉，{cities[0]}暂时不支持在线预约上门取件，可以回复“转人工”咨询；"
                      "换一个内地的取件地址的话，直接发给我就好。")
        return {"pickup_address": address}

    def validate_destination(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> dict[str, Any]:
        return validate_city("destination", value, dispatcher, domain)

    def validate_item(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: DomainDict) -> dict[str, Any]:
        item = str(value or "").strip()
        if not item or len(item) > 100:
            return self.refuse(dispatcher, domain, "item", "请简单说一下寄的是什么，比如“衣服”“文件”“一箱书”。")
        return {"item": item}

    def validate_time_window(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> dict[str, Any]:
        text = str(value or "").strip()
        if not text or len(text) > 50 or not _TIME_CUE.search(text):
            return self.refuse(dispatcher, domain, "time_window", "请告诉我方便上门的时间，比如“今天下午”或“明天上午9点到11点”。")
        return {"time_window": text}


def pickup_summary(tracker: Tracker) -> str:
    lines = ["请核对取件信息："]
    for slot, label in FIELD_LABELS.items():
        value = tracker.get_slot(slot)
        if slot == "sender_phone":
            value = mask_phone(value)
        elif slot == "time_window" and value:
            window = find_time_window(str(value))
            resolved = describe(window) if window and window.text == str(value).strip() else ""
            value = f"{value}（{resolved}）" if resolved else value
        lines.append(f"· {label}：{value}")
    lines.append("信息无误请回复“确认”；需要修改直接告诉我，比如“地址改成……”。")
    return "\n".join(lines)


class ActionAskPickupConfirmed(Action):
    def name(self) -> str:
        return "action_ask_pickup_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        if tracker.get_slot("pickup_edit_pending"):
            return []  # the validation already asked which field to change
        dispatcher.utter_message(
            text=pickup_summary(tracker),
            buttons=[{"title": "确认", "payload": "确认"}, {"title": "修改", "payload": "改一下"}],
        )
        return []


def pickup_payload(tracker: Tracker) -> dict[str, Any]:
    address = tracker.get_slot("pickup_address") or ""
    origin = next(iter(cities_in_text(address)), None) or tracker.get_slot("origin")
    payload: dict[str, Any] = {
        "sender_name": tracker.get_slot("sender_name"),
        "sender_phone": tracker.get_slot("sender_phone"),
        "pickup_address": address,
        "origin": origin,
        "destination": tracker.get_slot("destination"),
        "item": tracker.get_slot("item"),
        "time_window": tracker.get_slot("time_window"),
        "conversation_id": tracker.sender_id,
    }
    if tracker.get_slot("weight"):
        payload["weight_kg"] = str(tracker.get_slot("weight"))
    if tracker.get_slot("service_level") in ("standard", "express"):
        payload["service_level"] = tracker.get_slot("service_level")
    return payload


class ActionBookPickup(Action):
    """Books the confirmed pickup; the idempotency key makes a retried confirmation replay, not rebook."""

    def name(self) -> str:
        return "action_book_pickup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        payload = pickup_payload(tracker)
        key = idempotency_key(tracker.sender_id, "pickup", payload)
        # rating_due false sends the dialogue back into the form (data/rules/pickups.yml): nothing is lost.
        retry_form = [SlotSet("pickup_confirmed", None), SlotSet("rating_due", False)]
        try:
            booking = await call_backend(get_client().create_pickup, payload, key)
        except InvalidInput as error:
            if error.code == "prohibited_item":
                reason = error.reason or error.message
                dispatcher.utter_message(
                    text=f"很抱歉，“{payload['item']}”属于禁寄物品，不能为您收寄。{reason}".rstrip()
                    + "\n如果要改寄其他物品，告诉我物品名称就好；不寄了可以回复“算了”。"
                )
                return [SlotSet("item", None), *retry_form]
            if error.code in ("unknown_city", "not_covered") and error.detail.get("field") != "origin":
                dispatcher.utter_message(text=error.message or "抱歉，目的地暂时不在服务范围内，请换一个城市。")
                return [SlotSet("destination", None), *retry_form]
            if error.code in ("unknown_city", "not_covered"):
                dispatcher.utter_message(text=error.message or "抱歉，取件地址暂时不在服务范围内。")
                return [SlotSet("pickup_address", None), *retry_form]
            dispatcher.utter_message(text=f"抱歉，预约没有成功：{error.message or '信息有误'} 请核对后修改。")
            return retry_form
        except BackendUnavailable:
            dispatcher.utter_message(text=BOOKING_DOWN_TEXT)
            return retry_form
        fee = format_fen(booking.get("estimated_fee_fen"))
        dispatcher.utter_message(
            text=f"预约成功 🎉 快递员会在“{booking.get('time_window') or payload['time_window']}”上门取件，"
            f"上门前会打电话给 {mask_phone(payload['sender_phone'])}。\n"
            f"运单号：{booking.get('tracking_number')}\n预估运费：{fee}（以快递员上门称重为准）"
        )
        return [
            SlotSet("tracking_number", booking.get("tracking_number")),
            SlotSet("pickup_confirmed", None),
            SlotSet("pickup_edit_pending", None),
            SlotSet("item", None),
            SlotSet("time_window", None),
            SlotSet("rating_due", True),
            SlotSet("rating_ticket", booking.get("pickup_id")),
        ]
