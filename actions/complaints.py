"""Complaints (投诉): the form that registers one, its confirmation, the backend call, and status look-ups.

DOMAIN: listen, don't argue, apologise; every complaint becomes a ticket with a number, a category, the
customer's own description and a contact; the customer is promised a response within
`settings.complaint_response_hours`.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import ticket_lookup as lookup
from actions import ticket_text as tt
from actions.form_validation import MAX_TEXT
from actions.forms_common import is_off_topic_question
from actions.ticket_status import TicketStatus, TicketStatusValidation, status_lines
from actions.tickets import (
    NO_TRACKING,
    AskTicketConfirmed,
    SubmitTicket,
    TicketForm,
    TicketFormValidation,
    choice_from_text,
)
from bot.clients.backend import BackendClient, InvalidInput
from bot.settings import get_settings
from bot.vocabulary.phones import mask_phone
from bot.vocabulary.ticket_numbers import COMPLAINT

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
_CATEGORY_MARKER = re.compile(r"(类别|类型|分类|问题是|改成|改为|换成)")
_DESCRIPTION_FIX = re.compile(r"(描述|情况|内容|经过|描述|情況|內容)\s*(改成|改为|换成|应该是|是|改成|改為|應該是|：|:)\s*[：:]?\s*(.+)", re.S)
_TRIGGER_PREFIX = re.compile(r"^(我)?(要|想|需要)?(投诉|举报)(一下)?(你们)?[，,。！!：:\s]*")


def category_from_text(text: str) -> str | None:
    return choice_from_text(text, CATEGORIES)


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


COMPLAINT_FORM = TicketForm(
    prefix="complaint", label="投诉", slots=tuple(FORM_SLOTS), summary=summary_text,
    create=BackendClient.create_complaint, optional_tracking=True,
    description_hint="麻烦再具体说一说发生了什么，比如“快递员没打电话就放驿站了”，方便我们尽快核实处理。",
    tracking_hint="这个单号格式好像不对。我们的单号一般是 ZT 加 12 位数字（如 ZT202611230001），"
                  "也可以是 12–15 位纯数字。没有单号的话回复“没有”就行。",
    correction_example="电话是139……",
    correction_hint="好的，请直接告诉我要改的内容，比如“类别改成破损”“描述改成……”“电话是139……”“单号是……”。",
    # The backend is down: the complaint is in the durable outbox, filed automatically once it is back.
    kept_text="非常抱歉，系统暂时繁忙，投诉还没能马上登记。您的投诉已为您妥善保存，系统恢复后会自动为您提交（不会重复登记）；"
              "登记好后您再发消息时我会告诉您投诉单号，也可以凭登记的手机号查询进度。着急的话也可以回复“转人工”。",
    # The outbox could not take it either: the conversation keeps it and the next message retries.
    held_text="非常抱歉，系统暂时繁忙，投诉还没能提交成功。您填写的信息已为您保留，"
              "您发下一条消息时我会自动重新提交（不会重复登记）。着急的话也可以回复“转人工”。",
    retry_refused_text="抱歉，之前保留的投诉没能提交，请再发一次“我要投诉”，我重新帮您登记。",
)


class ValidateComplaintForm(TicketFormValidation):
    """The tracking number, phone, description and confirmation are the ticket template's (actions/tickets.py)."""

    form = COMPLAINT_FORM

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        asked = self.asked(tracker)
        if tt.latest_metadata(tracker).get("image_url") and asked:
            # Complaint tickets hold text only: say so instead of taking "[图片]" as an answer.
            self.refuse(dispatcher, domain, asked, "收到您的照片。投诉登记暂时只能记录文字，麻烦用文字简单说明；"
                                                  "如果物品损坏需要赔偿，可以之后发“申请理赔”上传照片。")
            return [SlotSet(asked, None)]
        return await super().run(dispatcher, tracker, domain)

    def tells_other_details(self, tracker: Tracker) -> bool:
        text = tt.latest_text(tracker)
        return not text.isdigit() and category_from_text(text) is not None

    # ---- extraction: what this message says for each slot ---------------------------------------------
    async def extract_complaint_category(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        asked = self.asked(tracker)
        text = tt.latest_text(tracker)
        if asked == "complaint_confirmed":
            return {}
        if asked == "complaint_category":
            if self.not_an_answer(tracker) and not category_from_text(text):
                return {}
            return {"complaint_category": text}
        found = category_from_text(text)
        if found and (asked is None or _CATEGORY_MARKER.search(text)):
            return {"complaint_category": found}
        return {}

    async def extract_complaint_description(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        asked = self.asked(tracker)
        text = tt.raw_text(tracker)
        if asked == "complaint_description":
            if self.interrupting(tracker) or not text or is_off_topic_question(tracker) or self.only_numbers(tracker):
                return {}
            return {"complaint_description": text}
        if asked is None and tracker.get_slot("complaint_description") is None:
            # "我要投诉，快递员把东西扔门口就走了" already says what happened: don't make them repeat it.
            rest = tt.without_prefix(_TRIGGER_PREFIX, text)
            if len(rest) >= 8 and tt.latest_intent(tracker) == "file_complaint":
                return {"complaint_description": rest}
        account = self.account_out_of_turn(tracker)
        return {"complaint_description": account[:MAX_TEXT]} if account else {}

    # ---- validation: normalise or refuse with a hint ----------------------------------------------------
    def validate_complaint_category(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        code = value if value in CATEGORY_LABEL else category_from_text(str(value or ""))
        if code:
            return {"complaint_category": code}
        return self.refuse(dispatcher, domain, "complaint_category",
                           "抱歉，我没能判断是哪类问题，请点选下面的一项，比如“延误”“破损”，都不是的话回复“其他”。")

    def corrections(self, tracker: Tracker) -> dict[str, Any]:
        text = tt.latest_text(tracker)
        changed: dict[str, Any] = {}
        described = _DESCRIPTION_FIX.search(tt.raw_text(tracker))
        if described and described.group(3).strip():
            changed["complaint_description"] = described.group(3).strip()[:MAX_TEXT]
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


class ActionAskComplaintConfirmed(AskTicketConfirmed):
    form = COMPLAINT_FORM


# ---- filing --------------------------------------------------------------------------------------------
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


def complaint_created_text(ticket: dict[str, Any]) -> str:
    hours = get_settings().complaint_response_hours
    return (
        f"您的投诉已登记，投诉单号：{ticket.get('number')}。"
        f"我们会在 {hours} 小时内（{tt.format_time(ticket.get('response_due_at'))}前）联系您反馈处理进展。"
        "您随时可以发送投诉单号查询进度。再次为给您带来的不便说声抱歉。"
    )


class ActionSubmitComplaint(SubmitTicket):
    form = COMPLAINT_FORM

    def payload(self, tracker: Tracker) -> dict[str, Any]:
        return complaint_payload(tracker)

    def refused_text(self, error: InvalidInput) -> str:
        return error.message or "抱歉，投诉信息有一项没通过校验，请重新发起投诉，我再帮您登记一次。"

    async def filed(self, dispatcher: CollectingDispatcher, tracker: Tracker, ticket: dict[str, Any],
                    pending: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(text=complaint_created_text(ticket))
        return []

    async def refiled(self, dispatcher: CollectingDispatcher, tracker: Tracker, ticket: dict[str, Any],
                      pending: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(text="刚才没提交成功的投诉现在已补交。" + complaint_created_text(ticket))
        return []


async def retry_pending_complaint(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Called on every customer turn while a confirmed complaint waits for the backend."""
    return await ActionSubmitComplaint().retry_pending(dispatcher, tracker)


# ---- status --------------------------------------------------------------------------------------------
def complaint_status_text(ticket: dict[str, Any]) -> str:
    lines = status_lines("投诉", ticket, CATEGORY_LABEL.get(ticket.get("category") or "", "其他"))
    if ticket.get("stage") in ("registered", "verifying"):
        lines.append(f"最晚响应时间：{tt.format_time(ticket.get('response_due_at'))}")
    return "\n".join(lines)


COMPLAINT_LOOKUP = lookup.TicketKind(
    slot="complaint_lookup", label="投诉", number_hint="投诉单号（CP 开头）",
    count=BackendClient.count_complaints, find=BackendClient.list_complaints,
    get=BackendClient.get_complaint, verify=BackendClient.verify_complaint, describe=complaint_status_text,
    prefix="complaint", code=COMPLAINT, pattern=tt.COMPLAINT_NO_RE, entity="complaint_id", filed_verb="登记",
    unrecognised_hint="没认出投诉单号，单号是 CP 开头的一串数字（比如 CP583920174468）；也可以告诉我登记时留的手机号。",
    rule_text=lambda: (f"投诉登记后，我们会在 {get_settings().complaint_response_hours} 小时内联系您反馈处理进展，"
                       "并尽快给出处理结果。"),
)


class ValidateComplaintStatusForm(TicketStatusValidation):
    kind = COMPLAINT_LOOKUP


class ActionComplaintStatus(TicketStatus):
    kind = COMPLAINT_LOOKUP
