"""Complaints (投诉): the form that registers one, its confirmation, the backend call, and status look-ups.

DOMAIN: listen, don't argue, apologise; every complaint becomes a ticket with a number, a category, the
customer's own description and a contact; the customer is promised a response within
`settings.complaint_response_hours`.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import deferred_writes
from actions import ticket_lookup as lookup
from actions import ticket_text as tt
from actions.common import call_backend, utter_backend_down
from actions.form_questions import ask_again, hint_given
from actions.forms_common import is_off_topic, is_off_topic_question
from bot.clients.backend import (
    BackendClient,
    BackendUnavailable,
    InvalidInput,
    NotFound,
    TooManyAttempts,
    get_client,
    idempotency_key,
)
from bot.settings import get_settings
from bot.vocabulary import tracking_numbers
from bot.vocabulary.phones import mask_phone, normalise_mobile

logger = logging.getLogger(__name__)

# (backend code, label shown to the customer, words that point to it). Button order = list order.
CATEGORIES: list[tuple[str, str, tuple[str, ...]]] = [
    ("delay", "延误", ("延误", "延迟", "太慢", "好慢", "很慢", "迟迟", "还没到", "没到", "晚了", "超时", "不动", "不更新")),
    ("damage", "破损", ("破损", "破了", "坏了", "损坏", "碎了", "压坏", "摔坏", "变形", "漏了", "湿了")),
    ("loss", "丢件", ("丢件", "丢了", "丢失", "弄丢", "不见了", "找不到", "没收到")),
    ("attitude", "服务态度", ("态度", "骂", "凶", "不耐烦", "不礼貌", "服务差", "脾气")),
    ("pickup", "揽收问题", ("揽收", "取件", "上门取", "不来取", "没来取", "没人来取")),
    ("delivery", "派送问题", ("派送", "配送", "送货", "不送上门", "放驿站", "快递柜", "代签", "乱签", "虚假签收")),
    ("other", "其他", ("其他", "其它", "别的")),
]
CATEGORY_LABEL = {code: label for code, label, _ in CATEGORIES}
FORM_SLOTS = [
    "complaint_category",
    "complaint_description",
    "complaint_tracking_number",
    "complaint_phone",
    "complaint_confirmed",
]
NO_TRACKING = "none"
_CATEGORY_MARKER = re.compile(r"(类别|类型|分类|问题是|改成|改为|换成)")
_DESCRIPTION_FIX = re.compile(r"(描述|情况|内容|经过|描述|情況|內容)\s*(改成|改为|换成|应该是|是|改成|改為|應該是|：|:)\s*[：:]?\s*(.+)", re.S)
_TRIGGER_PREFIX = re.compile(r"^(我)?(要|想|需要)?(投诉|投訴|举报)(一下)?(你们)?[，,。！!：:\s]*")


def category_from_text(text: str) -> str | None:
    text = text.strip()
    if text.isdigit() and 1 <= int(text) <= len(CATEGORIES):
        return CATEGORIES[int(text) - 1][0]
    for code, label, words in CATEGORIES:
        if text in (code, label) or any(word in text for word in words):
            return code
    return None


def summary_text(slots: dict[str, Any]) -> str:
    tracking = slots.get("complaint_tracking_number")
    return "\n".join(
        [
            f"类别：{CATEGORY_LABEL.get(slots.get('complaint_category') or '', '—')}",
            f"描述：{slots.get('complaint_description') or '—'}",
            f"相关单号：{tracking if tracking and tracking != NO_TRACKING else '无'}",
            f"联系电话：{mask_phone(slots.get('complaint_phone')) or ''}",
        ]
    )


def _asked(tracker: Tracker) -> str | None:
    return tracker.get_slot("requested_slot")


class ValidateComplaintForm(FormValidationAction):
    def name(self) -> str:
        return "validate_complaint_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        asked = _asked(tracker)
        if tt.latest_metadata(tracker).get("image_url") and asked:
            # Complaint tickets hold text only: say so instead of taking "[图片]" as an answer.
            ask_again(dispatcher, domain, asked, "收到您的照片。投诉登记暂时只能记录文字，麻烦用文字简单说明；"
                                                "如果物品损坏需要赔偿，可以之后发“申请理赔”上传照片。")
            return [SlotSet(asked, None)]
        return await super().run(dispatcher, tracker, domain)

    # ---- extraction: what this message says for each slot ---------------------------------------------
    async def extract_complaint_category(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        asked = _asked(tracker)
        text = tt.latest_text(tracker)
        if asked == "complaint_confirmed":
            return {}
        if asked == "complaint_category":
            if (tt.latest_intent(tracker) in tt.INTERRUPTING_INTENTS or is_off_topic(tracker)) \
                    and not category_from_text(text):
                return {}
            return {"complaint_category": text}
        found = category_from_text(text)
        if found and (asked is None or _CATEGORY_MARKER.search(text)):
            return {"complaint_category": found}
        return {}

    async def extract_complaint_description(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        asked = _asked(tracker)
        text = tt.raw_text(tracker)
        if asked == "complaint_description":
            if tt.latest_intent(tracker) in tt.INTERRUPTING_INTENTS or not text or is_off_topic_question(tracker):
                return {}
            return {"complaint_description": text}
        if asked is None and tracker.get_slot("complaint_description") is None:
            # "我要投诉，快递员把东西扔门口就走了" already says what happened: don't make them repeat it.
            rest = _TRIGGER_PREFIX.sub("", tt.latest_text(tracker)).strip()
            rest = text[len(text) - len(rest):] if len(rest) <= len(text) else rest
            if len(rest) >= 8 and tt.latest_intent(tracker) == "file_complaint":
                return {"complaint_description": rest}
        return {}

    async def extract_complaint_tracking_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        asked = _asked(tracker)
        if asked == "complaint_confirmed":
            return {}
        number = tt.tracking_number_in(tracker)
        if number:
            return {"complaint_tracking_number": number}
        if asked == "complaint_tracking_number":
            text = tt.latest_text(tracker)
            if tt.says_none(text) or tt.latest_intent(tracker) == "deny":
                return {"complaint_tracking_number": NO_TRACKING}
            if tt.latest_intent(tracker) in tt.INTERRUPTING_INTENTS or is_off_topic(tracker):
                return {}
            return {"complaint_tracking_number": text}
        if asked is None and tracker.get_slot("complaint_tracking_number") is None:
            carried = tracker.get_slot("tracking_number")
            if carried:
                return {"complaint_tracking_number": str(tt.first_value(carried)).upper()}
        return {}

    async def extract_complaint_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        asked = _asked(tracker)
        if asked == "complaint_confirmed":
            return {}
        phone = tt.phone_in(tracker)
        if phone:
            return {"complaint_phone": phone}
        if asked == "complaint_phone":
            if tt.latest_intent(tracker) in tt.INTERRUPTING_INTENTS or is_off_topic(tracker):
                return {}
            return {"complaint_phone": tt.latest_text(tracker)}
        if asked is None and tracker.get_slot("complaint_phone") is None and tracker.get_slot("phone"):
            return {"complaint_phone": tracker.get_slot("phone")}
        return {}

    async def extract_complaint_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if _asked(tracker) != "complaint_confirmed":
            return {}
        if tt.latest_intent(tracker) in tt.INTERRUPTING_INTENTS - {"greet"} and not tt.says_yes(tracker):
            return {}
        if is_off_topic(tracker) and not tt.says_yes(tracker) and not ValidateComplaintForm._corrections(tracker):
            return {}
        return {"complaint_confirmed": tt.latest_text(tracker) or "?"}

    # ---- validation: normalise or refuse with a hint ----------------------------------------------------
    def validate_complaint_category(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        code = value if value in CATEGORY_LABEL else category_from_text(str(value or ""))
        if code:
            return {"complaint_category": code}
        ask_again(dispatcher, domain, "complaint_category",
                  "抱歉，我没能判断是哪类问题，请点选下面的一项，比如“延误”“破损”，都不是的话回复“其他”。")
        return {"complaint_category": None}

    def validate_complaint_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        if len(text) < 2:
            ask_again(dispatcher, domain, "complaint_description",
                      "麻烦再具体说一说发生了什么，比如“快递员没打电话就放驿站了”，方便我们尽快核实处理。")
            return {"complaint_description": None}
        return {"complaint_description": text[:2000]}

    def validate_complaint_tracking_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value == NO_TRACKING:
            return {"complaint_tracking_number": NO_TRACKING}
        found = tracking_numbers.IN_TEXT.search(str(value or "").replace(" ", ""))
        if found:
            return {"complaint_tracking_number": found.group(1).upper()}
        ask_again(
            dispatcher, domain, "complaint_tracking_number",
            "这个单号格式好像不对。我们的单号一般是 ZT 加 12 位数字（如 ZT202611230001），"
            "也可以是 12–15 位纯数字。没有单号的话回复“没有”就行。",
        )
        return {"complaint_tracking_number": None}

    def validate_complaint_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        phone = normalise_mobile(value)
        if phone:
            return {"complaint_phone": phone}
        ask_again(dispatcher, domain, "complaint_phone", "这个手机号好像不完整，请输入 11 位手机号，比如 13812345678。")
        return {"complaint_phone": None}

    def validate_complaint_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is True:
            return {"complaint_confirmed": True}
        corrections = self._corrections(tracker)
        if corrections:
            # Show the corrected summary again (the form re-asks) rather than submitting on the spot.
            return {**corrections, "complaint_confirmed": None}
        if tt.says_yes(tracker):
            return {"complaint_confirmed": True}
        # Either hint is the question this turn: the summary was shown one message ago.
        if tt.says_no(tracker):
            ask_again(
                dispatcher, domain, "complaint_confirmed",
                "好的，请直接告诉我要改的内容，比如“类别改成破损”“描述改成……”“电话是139……”“单号是……”。",
                buttons=[],
            )
        else:
            ask_again(dispatcher, domain, "complaint_confirmed",
                      "信息无误请回复“确认”；需要修改的话，直接告诉我改成什么就可以。",
                      buttons=[{"title": "确认提交", "payload": "确认"}])
        return {"complaint_confirmed": None}

    @staticmethod
    def _corrections(tracker: Tracker) -> dict[str, Any]:
        text = tt.latest_text(tracker)
        changed: dict[str, Any] = {}
        described = _DESCRIPTION_FIX.search(tt.raw_text(tracker))
        if described and described.group(3).strip():
            changed["complaint_description"] = described.group(3).strip()[:2000]
            text = text[: described.start()]
        phone = tt.phone_in(tracker)
        if phone and phone != tracker.get_slot("complaint_phone"):
            changed["complaint_phone"] = phone
        number = tt.tracking_number_in(tracker)
        if number and number != tracker.get_slot("complaint_tracking_number"):
            changed["complaint_tracking_number"] = number
        if re.search(r"(没有|不关|无关).{0,4}单号|单号.{0,4}(不用|去掉|删)", text):
            changed["complaint_tracking_number"] = NO_TRACKING
        category = category_from_text(text) if _CATEGORY_MARKER.search(text) else None
        if category and category != tracker.get_slot("complaint_category"):
            changed["complaint_category"] = category
        return changed


class ActionAskComplaintConfirmed(Action):
    def name(self) -> str:
        return "action_ask_complaint_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if hint_given(tracker, "complaint_confirmed"):
            return []
        dispatcher.utter_message(
            text="请核对投诉信息：\n" + summary_text(tracker.current_slot_values())
            + "\n无误请回复“确认”；要修改可以直接说，比如“电话是139……”。",
            buttons=[
                {"title": "确认提交", "payload": "确认"},
                {"title": "需要修改", "payload": "不对，需要修改"},
            ],
        )
        return []


def complaint_payload(tracker: Tracker) -> dict[str, Any]:
    tracking = tracker.get_slot("complaint_tracking_number")
    payload: dict[str, Any] = {
        "category": tracker.get_slot("complaint_category"),
        "description": tracker.get_slot("complaint_description"),
        "contact_phone": tracker.get_slot("complaint_phone"),
        "conversation_id": tracker.sender_id,
    }
    if tracking and tracking != NO_TRACKING:
        payload["tracking_number"] = tracking
    channel = tracker.get_latest_input_channel()
    if channel:
        payload["channel"] = channel[:16]
    return payload


# The backend is down: the complaint is in the durable outbox, filed automatically once the backend is back.
COMPLAINT_KEPT_TEXT = (
    "非常抱歉，系统暂时繁忙，投诉还没能马上登记。您的投诉已为您妥善保存，系统恢复后会自动为您提交（不会重复登记）；"
    "登记好后您再发消息时我会告诉您投诉单号，也可以凭登记的手机号查询进度。着急的话也可以回复“转人工”。"
)
# The outbox could not take it either: the conversation keeps it and the next message retries.
COMPLAINT_HELD_TEXT = (
    "非常抱歉，系统暂时繁忙，投诉还没能提交成功。您填写的信息已为您保留，"
    "您发下一条消息时我会自动重新提交（不会重复登记）。着急的话也可以回复“转人工”。"
)


def complaint_created_text(ticket: dict[str, Any]) -> str:
    hours = get_settings().complaint_response_hours
    return (
        f"您的投诉已登记，投诉单号：{ticket.get('number')}。"
        f"我们会在 {hours} 小时内（{tt.format_time(ticket.get('response_due_at'))}前）联系您反馈处理进展。"
        "您随时可以发送投诉单号查询进度。再次为给您带来的不便说声抱歉。"
    )


async def send_complaint(payload: dict[str, Any], key: str) -> dict[str, Any]:
    return await call_backend(get_client().create_complaint, payload, idempotency=key)


def cleared_form() -> list[EventType]:
    return [SlotSet(slot, None) for slot in FORM_SLOTS]


class ActionSubmitComplaint(Action):
    def name(self) -> str:
        return "action_submit_complaint"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if not tracker.get_slot("complaint_confirmed"):
            return [SlotSet("rating_due", False)]
        payload = complaint_payload(tracker)
        key = idempotency_key(tracker.sender_id, "complaint", payload)
        try:
            ticket = await send_complaint(payload, key)
        except BackendUnavailable:
            # Kept in the outbox (filed in the background) and in the slot (the next message retries and
            # shows the number), both with the same key: filed once whichever comes first.
            kept = await deferred_writes.keep("complaint", key, tracker.sender_id, {"body": payload})
            dispatcher.utter_message(text=COMPLAINT_KEPT_TEXT if kept else COMPLAINT_HELD_TEXT)
            return [*cleared_form(), SlotSet("complaint_pending", {"payload": payload, "key": key}),
                    SlotSet("rating_due", False)]
        except InvalidInput as error:
            logger.info("complaint refused by backend: %s", error.code)
            dispatcher.utter_message(
                text=error.message or "抱歉，投诉信息有一项没通过校验，请重新发起投诉，我再帮您登记一次。"
            )
            return [*cleared_form(), SlotSet("rating_due", False)]
        dispatcher.utter_message(text=complaint_created_text(ticket))
        return [*cleared_form(), SlotSet("complaint_pending", None), SlotSet("rating_due", True),
                SlotSet("rating_ticket", ticket.get("number"))]


async def retry_pending_complaint(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Called on every customer turn while a confirmed complaint waits for the backend."""
    pending = tracker.get_slot("complaint_pending")
    if not isinstance(pending, dict) or not pending.get("payload"):
        return []
    try:
        ticket = await send_complaint(pending["payload"], pending["key"])
    except BackendUnavailable:
        return []
    except InvalidInput:
        await deferred_writes.forget(pending["key"])
        dispatcher.utter_message(text="抱歉，之前保留的投诉没能提交，请再发一次“我要投诉”，我重新帮您登记。")
        return [SlotSet("complaint_pending", None)]
    await deferred_writes.forget(pending["key"])
    dispatcher.utter_message(text="刚才没提交成功的投诉现在已补交。" + complaint_created_text(ticket))
    return [SlotSet("complaint_pending", None)]


# ---- status --------------------------------------------------------------------------------------------
def complaint_status_text(ticket: dict[str, Any]) -> str:
    changed = tt.last_change(ticket.get("history")) or ticket.get("created_at")
    lines = [
        f"投诉单 {ticket.get('number')}（{CATEGORY_LABEL.get(ticket.get('category') or '', '其他')}）",
        f"当前进度：{ticket.get('stage_text') or ticket.get('stage')}（更新于 {tt.format_time(changed)}）",
    ]
    if ticket.get("stage") in ("registered", "verifying"):
        lines.append(f"最晚响应时间：{tt.format_time(ticket.get('response_due_at'))}")
    return "\n".join(lines)


COMPLAINT_LOOKUP = lookup.TicketKind(
    slot="complaint_lookup", label="投诉", number_hint="投诉单号（CP 开头）",
    count=BackendClient.count_complaints, find=BackendClient.list_complaints,
    get=BackendClient.get_complaint, verify=BackendClient.verify_complaint, describe=complaint_status_text,
)


class ValidateComplaintStatusForm(FormValidationAction):
    """One slot: a complaint number (plus the phone's last 4 digits unless this chat filed it), or the phone it
    was filed with plus proof (see actions/ticket_lookup.py)."""

    def name(self) -> str:
        return "validate_complaint_status_form"

    async def extract_complaint_lookup(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        number = tt.number_in(tracker, "complaint_id", tt.COMPLAINT_NO_RE)
        if number:
            return {"complaint_lookup": number}
        phone = tt.phone_in(tracker)
        if phone:
            return {"complaint_lookup": phone}
        asked = _asked(tracker)
        if asked == "complaint_lookup" and tt.latest_intent(tracker) not in tt.INTERRUPTING_INTENTS:
            return {"complaint_lookup": tt.latest_text(tracker)}
        if asked is None and tracker.get_slot("phone"):
            return {"complaint_lookup": tracker.get_slot("phone")}
        return {}

    async def validate_complaint_lookup(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "")
        found = tt.COMPLAINT_NO_RE.search(text)
        if found:
            return await lookup.by_number(dispatcher, tracker, COMPLAINT_LOOKUP, found.group(0).upper())
        ticket = lookup.pending_ticket(tracker, COMPLAINT_LOOKUP)
        if ticket:
            last4 = lookup.phone_last4_in(text)
            if last4:
                return await lookup.by_ticket_proof(dispatcher, COMPLAINT_LOOKUP, ticket, last4, tracker.sender_id)
            return lookup.ask_phone_digits_again(dispatcher, COMPLAINT_LOOKUP, ticket)
        phone = normalise_mobile(text)
        if phone:
            return await lookup.by_phone(dispatcher, domain, tracker, COMPLAINT_LOOKUP, phone)
        pending = lookup.pending_phone(tracker, COMPLAINT_LOOKUP)
        if pending:
            last4 = lookup.proof_in(text)
            if last4:
                return await lookup.by_proof(dispatcher, tracker, COMPLAINT_LOOKUP, pending, last4)
            return lookup.ask_proof_again(dispatcher, COMPLAINT_LOOKUP, pending)
        ask_again(dispatcher, domain, "complaint_lookup",
                  "没认出投诉单号，单号是 CP 开头的一串数字（比如 CP583920174468）；也可以告诉我登记时留的手机号。")
        return {"complaint_lookup": None}


class ActionComplaintStatus(Action):
    """What the look-up form found was shown while validating; a number left in the slot is shown here, in
    full only for this chat's own complaints (the backend decides)."""

    def name(self) -> str:
        return "action_complaint_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        key = str(tracker.get_slot("complaint_lookup") or "")
        done = [SlotSet("complaint_lookup", None)]
        if not key or key == lookup.ANSWERED:
            return done
        numbers = lookup.ticket_numbers(key, tt.COMPLAINT_NO_RE)
        client = get_client()
        try:
            if not numbers:
                phone = normalise_mobile(key)
                if phone:  # never a list by phone: how many, and what to send for details
                    counts = await call_backend(client.count_complaints, phone)
                    dispatcher.utter_message(text=lookup.count_text(COMPLAINT_LOOKUP, phone, counts)
                                             + "查看详情请发投诉单号（CP 开头）。")
                return done
            tickets = [await call_backend(client.get_complaint, number, tracker.sender_id) for number in numbers]
        except NotFound:
            dispatcher.utter_message(text=f"没有查到投诉单 {key}，请核对一下单号（CP 开头），或者告诉我登记时的手机号。")
            return done
        except (BackendUnavailable, InvalidInput, TooManyAttempts):
            utter_backend_down(dispatcher)
            return done
        intro = "" if len(tickets) == 1 else f"为您找到 {len(tickets)} 条投诉：\n"
        dispatcher.utter_message(text=intro + "\n\n".join(
            complaint_status_text(t) if t.get("details") else lookup.stage_text(COMPLAINT_LOOKUP, t)
            for t in tickets))
        return done
