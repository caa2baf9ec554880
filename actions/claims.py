"""Claims (理赔): the form, the compensation cap the backend applies, evidence photos, and status look-ups.

The compensation rules (insured → declared value, uninsured → a multiple of the freight, delay → freight
waived) and the auto-handling limit are the backend's: the assistant shows the backend's `cap_text` and
`needs_manual_review`, never its own arithmetic.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import ticket_lookup as lookup
from actions import ticket_text as tt
from actions.claim_photos import photos_text, upload_photos
from actions.claim_reading import account_in_request, claimed_amount_fen, declared_value_fen, insured_in
from actions.common import format_fen
from actions.form_questions import hint_given
from actions.form_validation import MAX_TEXT
from actions.forms_common import is_off_topic, is_off_topic_question
from actions.handoff import record_handoff
from actions.ticket_status import TicketStatus, TicketStatusValidation, status_lines
from actions.tickets import (
    AskTicketConfirmed,
    SubmitTicket,
    TicketForm,
    TicketFormValidation,
    choice_from_text,
)
from bot.clients.backend import BackendClient, InvalidInput
from bot.settings import get_settings
from bot.vocabulary.handoff_reasons import HandoffReason
from bot.vocabulary.numerals import parse_yuan_to_fen
from bot.vocabulary.phones import mask_phone
from bot.vocabulary.ticket_numbers import CLAIM

CLAIM_TYPES: list[tuple[str, str, tuple[str, ...]]] = [
    ("damage", "破损", ("破损", "破了", "坏了", "损坏", "碎", "压坏", "摔坏", "变形", "漏")),
    ("loss", "丢失", ("丢失", "丢件", "丢了", "弄丢", "不见了", "找不到", "没收到")),
    ("missing", "少件", ("少件", "少了", "缺件", "缺了", "少一", "漏发", "不全", "内件短少")),
    ("delay", "延误", ("延误", "延迟", "太慢", "超时", "晚到", "晚了")),
]
TYPE_LABEL = {code: label for code, label, _ in CLAIM_TYPES}
FORM_SLOTS = [
    "claim_tracking_number",
    "claim_type",
    "claim_insured",
    "claim_declared_value",
    "claim_amount",
    "claim_description",
    "claim_phone",
    "claim_evidence",
    "claim_confirmed",
]
EVIDENCE_DONE = "done"
EVIDENCE_BUTTON = {"title": "好了 / 没有照片", "payload": "好了"}
_INSURED_NO = re.compile(r"(没有?保价|未保价|不保价|没保|没买保|没有?买|没有|没|否|不是)")
_INSURED_YES = re.compile(r"(保价了|有保价|保了价|买了保|买了|保了|保价|是|有)")
# Said before the photos are asked for ("没保价，照片稍后补发"): the photo question is answered too.
_PHOTOS_LATER_RE = re.compile(r"(?:没有|没)(?:拍)?(?:照片|相片|图片)|(?:照片|相片|图片).{0,4}(?:稍后|之后|以后|回头|晚点|晚些)再?(?:补|发)"
                              r"|(?:稍后|之后|以后|回头|晚点)再?(?:补发|补|发)(?:照片|相片|图片)")
_EVIDENCE_DONE_RE = re.compile(r"(好了|发完|没有了|没了|就这些|就这|没有|没照片|没拍|不方便|以后|稍后|跳过|不用|不发)")


def type_from_text(text: str) -> str | None:
    return choice_from_text(text, CLAIM_TYPES)


def summary_text(slots: dict[str, Any]) -> str:
    lines = [
        f"快递单号：{slots.get('claim_tracking_number') or '—'}",
        f"理赔类型：{TYPE_LABEL.get(slots.get('claim_type') or '', '—')}",
        f"是否保价：{'是' if slots.get('claim_insured') else '否'}",
    ]
    if slots.get("claim_insured") and slots.get("claim_declared_value") is not None:
        lines.append(f"保价金额：{format_fen(slots.get('claim_declared_value'))}")
    if slots.get("claim_amount") is not None:
        lines.append(f"申请赔偿：{format_fen(slots.get('claim_amount'))}")
    lines.append(f"情况说明：{slots.get('claim_description') or '—'}")
    lines.append(f"联系电话：{mask_phone(slots.get('claim_phone')) or ''}")
    photos = len(slots.get("claim_evidence_urls") or [])
    if slots.get("claim_type") != "delay":
        lines.append(f"照片凭证：{f'{photos} 张' if photos else '暂无（可凭理赔单号补发）'}")
    return "\n".join(lines)


CLAIM_FORM = TicketForm(
    prefix="claim", label="理赔", slots=(*FORM_SLOTS, "claim_evidence_urls"), summary=summary_text,
    create=BackendClient.create_claim,
    description_hint="麻烦再具体描述一下情况，比如物品哪里损坏、少了什么。",
    no_digits_hint="理赔需要快递单号，比如 ZT123456789012，一般在寄件短信或订单详情里能找到，找到后发给我就好。",
    tracking_hint="这个单号格式好像不对。我们的单号一般是 ZT 加 12 位数字（如 ZT202611230001），也可以是 12–15 位纯数字，"
                  "麻烦核对后再发一下。",
    correction_example="金额改成800",
    correction_hint="好的，请直接告诉我要改的内容，比如“单号是……”“金额改成800”“电话是139……”“类型改成丢失”。",
    # The backend is down: the claim is in the durable outbox, filed automatically once the backend is back.
    kept_text="非常抱歉，系统暂时繁忙，理赔申请还没能马上提交。您填写的信息已为您妥善保存，系统恢复后会自动为您提交（不会重复受理）；"
              "受理后您再发消息时我会告诉您理赔单号，也可以凭申请时的手机号查询进度。着急的话也可以回复“转人工”。",
    # The outbox could not take it either: the conversation keeps it and the next message retries.
    held_text="非常抱歉，系统暂时繁忙，理赔申请还没能提交成功。您填写的信息已为您保留，"
              "您发下一条消息时我会自动重新提交（不会重复受理）。着急的话也可以回复“转人工”。",
    retry_refused_text="抱歉，之前保留的理赔申请没能提交，请再发一次“申请理赔”，我重新帮您登记。",
)


class ValidateClaimForm(TicketFormValidation):
    """The tracking number, phone, description and confirmation are the ticket template's (actions/tickets.py)."""

    form = CLAIM_FORM

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        slots = list(domain_slots)
        if tracker.get_slot("claim_insured") is False:
            slots.remove("claim_declared_value")
        if tracker.get_slot("claim_type") == "delay":
            # Delay is settled by waiving the freight: no amount to state and nothing to photograph.
            slots = [s for s in slots if s not in ("claim_amount", "claim_evidence")]
        return slots

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        asked = self.asked(tracker)
        image_url = tt.latest_metadata(tracker).get("image_url")
        if image_url and asked not in (None, "claim_evidence"):
            # A photo sent before we asked for one is kept for the claim, and the open question asked again.
            urls = list(tracker.get_slot("claim_evidence_urls") or [])
            if image_url not in urls:
                urls.append(image_url)
            dispatcher.utter_message(text="收到照片，会作为凭证附在理赔单上。")
            return [SlotSet(asked, None), SlotSet("claim_evidence_urls", urls[:10])]
        return await super().run(dispatcher, tracker, domain)

    def tells_other_details(self, tracker: Tracker) -> bool:
        text = tt.latest_text(tracker)
        return bool((not text.isdigit() and type_from_text(text)) or insured_in(text) is not None
                    or claimed_amount_fen(text) or declared_value_fen(text))

    # ---- extraction -------------------------------------------------------------------------------------
    async def extract_claim_type(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        asked = self.asked(tracker)
        text = tt.latest_text(tracker)
        if asked == "claim_type":
            if self.not_an_answer(tracker) and not type_from_text(text):
                return {}
            return {"claim_type": text}
        found = type_from_text(text)
        # told before it was asked ("箱子摔坏了" with the tracking number): taken while still empty
        if found and (asked is None or (asked != "claim_confirmed" and not tracker.get_slot("claim_type"))):
            return {"claim_type": found}
        return {}

    async def extract_claim_insured(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = tt.latest_text(tracker)
        if not self.is_asked(tracker, "claim_insured"):
            said = insured_in(text) if self.unasked_turn(tracker, "claim_insured") else None
            return {} if said is None else {"claim_insured": said}
        if is_off_topic(tracker) and "保" not in text:
            return {}  # the loose yes/no words below ("是", "有") are in many an unrelated question
        if tt.latest_intent(tracker) == "deny" or _INSURED_NO.search(text):
            return {"claim_insured": False}
        if tt.latest_intent(tracker) == "affirm" or _INSURED_YES.search(text):
            return {"claim_insured": True}
        if self.not_an_answer(tracker):
            return {}
        return {"claim_insured": "?"}

    async def extract_claim_declared_value(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._amount_for("claim_declared_value", tracker)

    async def extract_claim_amount(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._amount_for("claim_amount", tracker)

    def unasked_turn(self, tracker: Tracker, slot: str) -> bool:
        """A message that may fill `slot` before it is asked: the slot is empty, the summary is not on screen."""
        return (not self.is_asked(tracker, "claim_confirmed") and tracker.get_slot(slot) is None
                and not self.interrupting(tracker))

    def _amount_for(self, slot: str, tracker: Tracker) -> dict[str, Any]:
        if not self.is_asked(tracker, slot):
            if not self.unasked_turn(tracker, slot) or self.is_asked(tracker, "claim_declared_value"):
                return {}
            text = tt.latest_text(tracker)
            fen = declared_value_fen(text) if slot == "claim_declared_value" else claimed_amount_fen(text)
            return {slot: fen} if fen else {}
        entity = tt.entity_value(tracker, "amount")
        if self.interrupting(tracker):
            return {}
        if is_off_topic(tracker) and entity is None and parse_yuan_to_fen(tt.latest_text(tracker)) is None:
            return {}
        return {slot: str(entity) if entity is not None else tt.latest_text(tracker)}

    async def extract_claim_description(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = tt.raw_text(tracker)
        if self.is_asked(tracker, "claim_description") and text and not self.interrupting(tracker) \
                and not is_off_topic_question(tracker) and not self.only_numbers(tracker):
            return {"claim_description": text}
        if self.asked(tracker) is None and tracker.get_slot("claim_description") is None \
                and tt.latest_intent(tracker) == "file_claim":
            # "申请理赔，箱子摔坏了，花瓶值500元" already tells what happened: not asked for again
            account = account_in_request(text)
            return {"claim_description": account[:MAX_TEXT]} if account else {}
        account = self.account_out_of_turn(tracker)
        return {"claim_description": account[:MAX_TEXT]} if account else {}

    async def extract_claim_evidence(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not self.is_asked(tracker, "claim_evidence"):
            if self.unasked_turn(tracker, "claim_evidence") and _PHOTOS_LATER_RE.search(tt.latest_text(tracker)):
                return {"claim_evidence": EVIDENCE_DONE}
            return {}
        image_url = tt.latest_metadata(tracker).get("image_url")
        if image_url:
            return {"claim_evidence": f"image:{image_url}"}
        if _EVIDENCE_DONE_RE.search(tt.latest_text(tracker)) or tt.latest_intent(tracker) in ("deny", "affirm"):
            return {"claim_evidence": EVIDENCE_DONE}
        if self.not_an_answer(tracker):
            return {}
        return {"claim_evidence": "?"}

    # ---- validation -------------------------------------------------------------------------------------
    def validate_claim_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        code = value if value in TYPE_LABEL else type_from_text(str(value or ""))
        if code:
            return {"claim_type": code}
        return self.refuse(dispatcher, domain, "claim_type", "请选择理赔类型：破损、丢失、少件或延误，比如回复“破损”。")

    def validate_claim_insured(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if isinstance(value, bool):
            return {"claim_insured": value}
        return self.refuse(dispatcher, domain, "claim_insured", "寄件时有没有办理保价呢？回复“保价了”或“没保价”就可以。")

    def validate_claim_declared_value(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._money("claim_declared_value", value, dispatcher, domain,
                           "请告诉我保价金额（元），比如“3000”或“3000元”，寄件单据上可以查到。")

    def validate_claim_amount(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._money("claim_amount", value, dispatcher, domain, "请告诉我实际损失大约多少钱（元），比如“500元”。")

    def _money(self, slot: str, value: Any, dispatcher: CollectingDispatcher, domain: DomainDict,
               hint: str) -> dict[str, Any]:
        fen = value if isinstance(value, int) else parse_yuan_to_fen(value)
        if fen and fen > 0:
            return {slot: fen}
        return self.refuse(dispatcher, domain, slot, hint)

    def validate_claim_evidence(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value == EVIDENCE_DONE:
            return {"claim_evidence": EVIDENCE_DONE}
        if isinstance(value, str) and value.startswith("image:"):
            urls = list(tracker.get_slot("claim_evidence_urls") or [])
            urls.append(value[len("image:"):])
            # Keep asking: the prompt says how many photos arrived and how to finish.
            return {"claim_evidence": None, "claim_evidence_urls": urls[:10]}
        return self.refuse(dispatcher, domain, "claim_evidence",
                           "如果方便，请直接发送照片；发完或暂时没有照片，回复“好了”就行。", buttons=[EVIDENCE_BUTTON])

    def corrections(self, tracker: Tracker) -> dict[str, Any]:
        text = tt.latest_text(tracker)
        changed: dict[str, Any] = {}
        number = tt.tracking_number_in(tracker)
        if number and number != tracker.get_slot("claim_tracking_number"):
            changed["claim_tracking_number"] = number
            text = text.replace(number, "")
        phone = tt.phone_in(tracker)
        if phone and phone != tracker.get_slot("claim_phone"):
            changed["claim_phone"] = phone
            text = text.replace(phone, "")
        if re.search(r"(类型|改成|改为)", text):
            claim_type = type_from_text(text)
            if claim_type and claim_type != tracker.get_slot("claim_type"):
                changed["claim_type"] = claim_type
        money = re.search(r"(保价金额|保价|金额|赔偿|损失|赔)[^0-9一二两三四五六七八九十]{0,6}(.+)", text)
        if money:
            fen = parse_yuan_to_fen(money.group(2))
            slot = "claim_declared_value" if money.group(1).startswith("保价") else "claim_amount"
            if fen and fen != tracker.get_slot(slot):
                changed[slot] = fen
        described = re.search(r"(说明|描述|情况|說明|情況)\s*(改成|改为|改為|是|：|:)\s*[：:]?\s*(.+)", tt.raw_text(tracker), re.S)
        if described and described.group(3).strip():
            changed["claim_description"] = described.group(3).strip()[:MAX_TEXT]
        return changed


class ActionAskClaimEvidence(Action):
    def name(self) -> str:
        return "action_ask_claim_evidence"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if hint_given(tracker, "claim_evidence"):
            return []
        count = len(tracker.get_slot("claim_evidence_urls") or [])
        if count:
            text = f"已收到 {count} 张照片。还有的话可以继续发送，发完请回复“好了”。"
        else:
            text = (
                "如果方便，请直接发送物品和外包装的照片（可以发多张），发完回复“好了”。"
                "暂时没有照片也没关系，回复“没有”，之后凭理赔单号在这里补发即可。"
            )
        dispatcher.utter_message(text=text, buttons=[EVIDENCE_BUTTON])
        return []


class ActionAskClaimConfirmed(AskTicketConfirmed):
    form = CLAIM_FORM


# ---- submission ----------------------------------------------------------------------------------------
def claim_payload(tracker: Tracker) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "tracking_number": tracker.get_slot("claim_tracking_number"),
        "claim_type": tracker.get_slot("claim_type"),
        "insured": bool(tracker.get_slot("claim_insured")),
        "description": tracker.get_slot("claim_description"),
        "contact_phone": tracker.get_slot("claim_phone"),
        "conversation_id": tracker.sender_id,
    }
    if payload["insured"] and tracker.get_slot("claim_declared_value"):
        payload["declared_value_fen"] = int(tracker.get_slot("claim_declared_value"))
    if tracker.get_slot("claim_amount") and payload["claim_type"] != "delay":
        payload["claimed_amount_fen"] = int(tracker.get_slot("claim_amount"))
    return payload


def claim_created_text(claim: dict[str, Any], phone: str | None) -> str:
    settings = get_settings()
    lines = [f"理赔申请已受理，理赔单号：{claim.get('number')}。"]
    cap_text = claim.get("cap_text")
    if cap_text:
        lines.append(f"赔付标准：{cap_text}")
    elif claim.get("compensation_cap_fen") is not None:
        lines.append(f"本单最高可赔 {format_fen(claim.get('compensation_cap_fen'))}。")
    days = settings.claim_payout_working_days
    if claim.get("needs_manual_review"):
        lines.append(
            f"由于金额超过 {format_fen(settings.claim_auto_limit_fen)} 的自动处理额度，这笔理赔会由理赔专员亲自审核，"
            f"审核时会通过 {mask_phone(phone)} 联系您；审核通过后 {days} 个工作日内完成赔付。"
        )
    else:
        lines.append(f"我们会尽快核实，审核通过后 {days} 个工作日内完成赔付。")
    lines.append("您可以随时发送理赔单号查询进度。")
    return "".join(lines)


async def finish_claim(
    dispatcher: CollectingDispatcher, tracker: Tracker, claim: dict[str, Any], payload: dict[str, Any],
    urls: list[str],
) -> None:
    uploaded = await upload_photos(claim["number"], urls)
    text = claim_created_text(claim, payload.get("contact_phone"))
    dispatcher.utter_message(text=" ".join(part for part in (text, photos_text(uploaded, len(urls))) if part))
    if claim.get("needs_manual_review"):
        await record_handoff(tracker, HandoffReason.CLAIM_OVER_LIMIT)


class ActionSubmitClaim(SubmitTicket):
    """Files the claim, then forwards its photos (actions/claim_photos.py); over the limit, a person reviews."""

    form = CLAIM_FORM

    def payload(self, tracker: Tracker) -> dict[str, Any]:
        return claim_payload(tracker)

    def pending(self, tracker: Tracker, payload: dict[str, Any], key: str) -> dict[str, Any]:
        return {"payload": payload, "key": key, "urls": list(tracker.get_slot("claim_evidence_urls") or [])}

    def kept(self, pending: dict[str, Any]) -> dict[str, Any]:
        return {"body": pending["payload"], "evidence_urls": pending["urls"]}

    def refused_text(self, error: InvalidInput) -> str:
        return (error.message or "抱歉，理赔信息有一项没通过校验。") + "您可以重新发起理赔，我再帮您登记一次。"

    async def filed(self, dispatcher: CollectingDispatcher, tracker: Tracker, ticket: dict[str, Any],
                    pending: dict[str, Any]) -> list[EventType]:
        await finish_claim(dispatcher, tracker, ticket, pending["payload"], pending["urls"])
        return [SlotSet("last_claim_number", ticket["number"])]

    async def refiled(self, dispatcher: CollectingDispatcher, tracker: Tracker, ticket: dict[str, Any],
                      pending: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(text="刚才没提交成功的理赔申请现在已补交。")
        await finish_claim(dispatcher, tracker, ticket, pending["payload"], list(pending.get("urls") or []))
        return [SlotSet("last_claim_number", ticket["number"])]


async def retry_pending_claim(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Called on every customer turn while a confirmed claim waits for the backend."""
    return await ActionSubmitClaim().retry_pending(dispatcher, tracker)


# ---- status --------------------------------------------------------------------------------------------
def claim_status_text(claim: dict[str, Any]) -> str:
    lines = status_lines("理赔", claim, TYPE_LABEL.get(claim.get("claim_type") or "", "理赔"))
    if claim.get("approved_amount_fen") is not None:
        lines.append(f"核定赔付金额：{format_fen(claim.get('approved_amount_fen'))}")
    if claim.get("paid_at"):
        lines.append(f"已于 {tt.format_time(claim.get('paid_at'))} 完成赔付。")
    elif claim.get("payout_due_date"):
        lines.append(f"预计最晚 {tt.format_day(claim.get('payout_due_date'))} 前完成赔付。")
    elif claim.get("compensation_cap_fen") is not None and claim.get("stage") not in ("rejected",):
        lines.append(f"本单最高可赔：{format_fen(claim.get('compensation_cap_fen'))}")
    if claim.get("evidence_count") is not None:
        lines.append(f"已收到照片凭证：{claim.get('evidence_count')} 张")
    return "\n".join(lines)


CLAIM_LOOKUP = lookup.TicketKind(
    slot="claim_lookup", label="理赔", number_hint="理赔单号（CL 开头）",
    count=BackendClient.count_claims, find=BackendClient.list_claims,
    get=BackendClient.get_claim, verify=BackendClient.verify_claim, describe=claim_status_text,
    prefix="claim", code=CLAIM, pattern=tt.CLAIM_NO_RE, entity="claim_id", filed_verb="申请",
    unrecognised_hint="没认出理赔单号，单号是 CL 开头的一串数字（比如 CL731055281901）；也可以告诉我申请时留的手机号。",
    remembered_slot="last_claim_number",
    rule_text=lambda: (f"理赔审核通过后，赔款会在 {get_settings().claim_payout_working_days} 个工作日内支付到您的账户"
                       "（遇法定节假日顺延）。"),
)


class ValidateClaimStatusForm(TicketStatusValidation):
    kind = CLAIM_LOOKUP


class ActionClaimStatus(TicketStatus):
    kind = CLAIM_LOOKUP
