"""Claims (理赔): the form, the compensation cap the backend applies, evidence photos, and status look-ups.

The compensation rules (insured → declared value, uninsured → a multiple of the freight, delay → freight
waived) and the auto-handling limit are the backend's: the assistant shows the backend's `cap_text` and
`needs_manual_review`, never its own arithmetic.
"""

from __future__ import annotations

import hashlib
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
from actions.common import call_backend, format_fen, utter_backend_down
from actions.form_questions import ask_again, hint_given
from actions.forms_common import is_off_topic, is_off_topic_question
from actions.handoff import record_handoff
from actions.photo_fetch import download_photo
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
from bot.vocabulary.handoff_reasons import HandoffReason
from bot.vocabulary.numerals import parse_yuan_to_fen
from bot.vocabulary.phones import mask_phone, normalise_mobile

logger = logging.getLogger(__name__)

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
_INSURED_NO = re.compile(r"(没有?保价|未保价|不保价|没保|没买保|没有?买|没有|没|否|不是)")
_INSURED_YES = re.compile(r"(保价了|有保价|保了价|买了保|买了|保了|保价|是|有)")
_EVIDENCE_DONE_RE = re.compile(r"(好了|发完|没有了|没了|就这些|就这|没有|没照片|没拍|不方便|以后|稍后|跳过|不用|不发)")


def type_from_text(text: str) -> str | None:
    text = text.strip()
    if text.isdigit() and 1 <= int(text) <= len(CLAIM_TYPES):
        return CLAIM_TYPES[int(text) - 1][0]
    for code, label, words in CLAIM_TYPES:
        if text in (code, label) or any(word in text for word in words):
            return code
    return None


def _asked(tracker: Tracker) -> str | None:
    return tracker.get_slot("requested_slot")


def _interrupting(tracker: Tracker) -> bool:
    return tt.latest_intent(tracker) in tt.INTERRUPTING_INTENTS


def _not_an_answer(tracker: Tracker) -> bool:
    """FAQ, cancel, a person, or off topic: the form leaves the message to its rule."""
    return _interrupting(tracker) or is_off_topic(tracker)


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


class ValidateClaimForm(FormValidationAction):
    def name(self) -> str:
        return "validate_claim_form"

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
        asked = _asked(tracker)
        image_url = tt.latest_metadata(tracker).get("image_url")
        if image_url and asked not in (None, "claim_evidence"):
            # A photo sent before we asked for one is kept for the claim, and the open question asked again.
            urls = list(tracker.get_slot("claim_evidence_urls") or [])
            if image_url not in urls:
                urls.append(image_url)
            dispatcher.utter_message(text="收到照片，会作为凭证附在理赔单上。")
            return [SlotSet(asked, None), SlotSet("claim_evidence_urls", urls[:10])]
        return await super().run(dispatcher, tracker, domain)

    # ---- extraction -------------------------------------------------------------------------------------
    async def extract_claim_tracking_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        asked = _asked(tracker)
        if asked == "claim_confirmed":
            return {}
        number = tt.tracking_number_in(tracker)
        if number:
            return {"claim_tracking_number": number}
        if asked == "claim_tracking_number" and not _not_an_answer(tracker):
            return {"claim_tracking_number": tt.latest_text(tracker)}
        if asked is None and tracker.get_slot("claim_tracking_number") is None and tracker.get_slot("tracking_number"):
            return {"claim_tracking_number": str(tt.first_value(tracker.get_slot("tracking_number"))).upper()}
        return {}

    async def extract_claim_type(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        asked = _asked(tracker)
        text = tt.latest_text(tracker)
        if asked == "claim_type":
            if _not_an_answer(tracker) and not type_from_text(text):
                return {}
            return {"claim_type": text}
        found = type_from_text(text)
        if found and asked is None:
            return {"claim_type": found}
        return {}

    async def extract_claim_insured(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if _asked(tracker) != "claim_insured":
            return {}
        text = tt.latest_text(tracker)
        if is_off_topic(tracker) and "保" not in text:
            return {}  # the loose yes/no words below ("是", "有") are in many an unrelated question
        if tt.latest_intent(tracker) == "deny" or _INSURED_NO.search(text):
            return {"claim_insured": False}
        if tt.latest_intent(tracker) == "affirm" or _INSURED_YES.search(text):
            return {"claim_insured": True}
        if _not_an_answer(tracker):
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

    @staticmethod
    def _amount_for(slot: str, tracker: Tracker) -> dict[str, Any]:
        if _asked(tracker) != slot:
            return {}
        entity = tt.entity_value(tracker, "amount")
        if _interrupting(tracker):
            return {}
        if is_off_topic(tracker) and entity is None and parse_yuan_to_fen(tt.latest_text(tracker)) is None:
            return {}
        return {slot: str(entity) if entity is not None else tt.latest_text(tracker)}

    async def extract_claim_description(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = tt.raw_text(tracker)
        if _asked(tracker) == "claim_description" and text and not _interrupting(tracker) \
                and not is_off_topic_question(tracker):
            return {"claim_description": text}
        return {}

    async def extract_claim_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        asked = _asked(tracker)
        if asked == "claim_confirmed":
            return {}
        phone = tt.phone_in(tracker)
        if phone:
            return {"claim_phone": phone}
        if asked == "claim_phone" and not _not_an_answer(tracker):
            return {"claim_phone": tt.latest_text(tracker)}
        if asked is None and tracker.get_slot("claim_phone") is None and tracker.get_slot("phone"):
            return {"claim_phone": tracker.get_slot("phone")}
        return {}

    async def extract_claim_evidence(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if _asked(tracker) != "claim_evidence":
            return {}
        image_url = tt.latest_metadata(tracker).get("image_url")
        if image_url:
            return {"claim_evidence": f"image:{image_url}"}
        if _EVIDENCE_DONE_RE.search(tt.latest_text(tracker)) or tt.latest_intent(tracker) in ("deny", "affirm"):
            return {"claim_evidence": EVIDENCE_DONE}
        if _not_an_answer(tracker):
            return {}
        return {"claim_evidence": "?"}

    async def extract_claim_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if _asked(tracker) != "claim_confirmed":
            return {}
        if _interrupting(tracker) and not tt.says_yes(tracker):
            return {}
        if is_off_topic(tracker) and not tt.says_yes(tracker) and not ValidateClaimForm._corrections(tracker):
            return {}
        return {"claim_confirmed": tt.latest_text(tracker) or "?"}

    # ---- validation -------------------------------------------------------------------------------------
    def validate_claim_tracking_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        found = tracking_numbers.IN_TEXT.search(str(value or "").replace(" ", ""))
        if found:
            return {"claim_tracking_number": found.group(1).upper()}
        if not re.search(r"\d", str(value or "")):
            ask_again(dispatcher, domain, "claim_tracking_number",
                      "理赔需要快递单号，比如 ZT123456789012，一般在寄件短信或订单详情里能找到，找到后发给我就好。")
            return {"claim_tracking_number": None}
        ask_again(
            dispatcher, domain, "claim_tracking_number",
            "这个单号格式好像不对。我们的单号一般是 ZT 加 12 位数字（如 ZT202611230001），也可以是 12–15 位纯数字，"
            "麻烦核对后再发一下。",
        )
        return {"claim_tracking_number": None}

    def validate_claim_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        code = value if value in TYPE_LABEL else type_from_text(str(value or ""))
        if code:
            return {"claim_type": code}
        ask_again(dispatcher, domain, "claim_type", "请选择理赔类型：破损、丢失、少件或延误，比如回复“破损”。")
        return {"claim_type": None}

    def validate_claim_insured(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if isinstance(value, bool):
            return {"claim_insured": value}
        ask_again(dispatcher, domain, "claim_insured", "寄件时有没有办理保价呢？回复“保价了”或“没保价”就可以。")
        return {"claim_insured": None}

    def validate_claim_declared_value(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        fen = value if isinstance(value, int) else parse_yuan_to_fen(value)
        if fen and fen > 0:
            return {"claim_declared_value": fen}
        ask_again(dispatcher, domain, "claim_declared_value",
                  "请告诉我保价金额（元），比如“3000”或“3000元”，寄件单据上可以查到。")
        return {"claim_declared_value": None}

    def validate_claim_amount(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        fen = value if isinstance(value, int) else parse_yuan_to_fen(value)
        if fen and fen > 0:
            return {"claim_amount": fen}
        ask_again(dispatcher, domain, "claim_amount", "请告诉我实际损失大约多少钱（元），比如“500元”。")
        return {"claim_amount": None}

    def validate_claim_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        if len(text) < 2:
            ask_again(dispatcher, domain, "claim_description", "麻烦再具体描述一下情况，比如物品哪里损坏、少了什么。")
            return {"claim_description": None}
        return {"claim_description": text[:2000]}

    def validate_claim_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        phone = normalise_mobile(value)
        if phone:
            return {"claim_phone": phone}
        ask_again(dispatcher, domain, "claim_phone", "这个手机号好像不完整，请输入 11 位手机号，比如 13812345678。")
        return {"claim_phone": None}

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
        ask_again(dispatcher, domain, "claim_evidence",
                  "如果方便，请直接发送照片；发完或暂时没有照片，回复“好了”就行。",
                  buttons=[{"title": "好了 / 没有照片", "payload": "好了"}])
        return {"claim_evidence": None}

    def validate_claim_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        corrections = self._corrections(tracker)
        if corrections:
            return {**corrections, "claim_confirmed": None}
        if tt.says_yes(tracker):
            return {"claim_confirmed": True}
        # Either hint is the question this turn: the summary was shown one message ago.
        if tt.says_no(tracker):
            ask_again(
                dispatcher, domain, "claim_confirmed",
                "好的，请直接告诉我要改的内容，比如“单号是……”“金额改成800”“电话是139……”“类型改成丢失”。",
                buttons=[],
            )
        else:
            ask_again(dispatcher, domain, "claim_confirmed",
                      "信息无误请回复“确认”；需要修改的话，直接告诉我改成什么就可以。",
                      buttons=[{"title": "确认提交", "payload": "确认"}])
        return {"claim_confirmed": None}

    @staticmethod
    def _corrections(tracker: Tracker) -> dict[str, Any]:
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
            changed["claim_description"] = described.group(3).strip()[:2000]
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
        dispatcher.utter_message(text=text, buttons=[{"title": "好了 / 没有照片", "payload": "好了"}])
        return []


class ActionAskClaimConfirmed(Action):
    def name(self) -> str:
        return "action_ask_claim_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if hint_given(tracker, "claim_confirmed"):
            return []
        dispatcher.utter_message(
            text="请核对理赔信息：\n" + summary_text(tracker.current_slot_values())
            + "\n无误请回复“确认”；要修改可以直接说，比如“金额改成800”。",
            buttons=[
                {"title": "确认提交", "payload": "确认"},
                {"title": "需要修改", "payload": "不对，需要修改"},
            ],
        )
        return []


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


# The backend is down: the claim is in the durable outbox, filed automatically once the backend is back.
CLAIM_KEPT_TEXT = (
    "非常抱歉，系统暂时繁忙，理赔申请还没能马上提交。您填写的信息已为您妥善保存，系统恢复后会自动为您提交（不会重复受理）；"
    "受理后您再发消息时我会告诉您理赔单号，也可以凭申请时的手机号查询进度。着急的话也可以回复“转人工”。"
)
# The outbox could not take it either: the conversation keeps it and the next message retries.
CLAIM_HELD_TEXT = (
    "非常抱歉，系统暂时繁忙，理赔申请还没能提交成功。您填写的信息已为您保留，"
    "您发下一条消息时我会自动重新提交（不会重复受理）。着急的话也可以回复“转人工”。"
)


async def send_claim(payload: dict[str, Any], key: str) -> dict[str, Any]:
    return await call_backend(get_client().create_claim, payload, idempotency=key)


def upload_photo(number: str, url: str) -> bool:
    """Fetch one of the customer's photos and attach it to the claim (own key: a retry adds it once)."""
    photo = download_photo(url)
    if photo is None:
        return False
    content, content_type = photo
    key = "evidence-" + hashlib.sha256(f"{number}\x1f{url}".encode()).hexdigest()[:48]
    extension = content_type.split("/")[1].replace("jpeg", "jpg")
    try:
        get_client().add_claim_evidence(number, f"photo.{extension}", content, content_type, idempotency=key)
    except (BackendUnavailable, InvalidInput, NotFound) as error:
        logger.info("evidence upload for a claim failed: %s", error.code)
        return False
    return True


async def upload_photos(number: str, urls: list[str]) -> int:
    """Upload what the customer sent; returns how many arrived at the backend."""
    uploaded = 0
    for url in urls:
        if await call_backend(upload_photo, number, url):
            uploaded += 1
    return uploaded


def photos_text(uploaded: int, sent: int) -> str:
    if not sent:
        return ""
    if uploaded == sent:
        return f"您发送的 {sent} 张照片已作为凭证附在理赔单上。"
    return f"有 {sent - uploaded} 张照片没能保存，麻烦之后在这里重新发送（凭理赔单号补充即可）。"


async def finish_claim(
    dispatcher: CollectingDispatcher, tracker: Tracker, claim: dict[str, Any], payload: dict[str, Any],
    urls: list[str],
) -> None:
    uploaded = await upload_photos(claim["number"], urls)
    text = claim_created_text(claim, payload.get("contact_phone"))
    dispatcher.utter_message(text=" ".join(part for part in (text, photos_text(uploaded, len(urls))) if part))
    if claim.get("needs_manual_review"):
        await record_handoff(tracker, HandoffReason.CLAIM_OVER_LIMIT)


def cleared_form() -> list[EventType]:
    return [SlotSet(slot, None) for slot in FORM_SLOTS] + [SlotSet("claim_evidence_urls", None)]


class ActionSubmitClaim(Action):
    def name(self) -> str:
        return "action_submit_claim"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if not tracker.get_slot("claim_confirmed"):
            return [SlotSet("rating_due", False)]
        payload = claim_payload(tracker)
        urls = list(tracker.get_slot("claim_evidence_urls") or [])
        key = idempotency_key(tracker.sender_id, "claim", payload)
        try:
            claim = await send_claim(payload, key)
        except BackendUnavailable:
            # Kept in the outbox (filed in the background) and in the slot (the next message retries and
            # shows the number), both with the same key: filed once whichever comes first.
            kept = await deferred_writes.keep("claim", key, tracker.sender_id,
                                              {"body": payload, "evidence_urls": urls})
            dispatcher.utter_message(text=CLAIM_KEPT_TEXT if kept else CLAIM_HELD_TEXT)
            pending = {"payload": payload, "key": key, "urls": urls}
            return [*cleared_form(), SlotSet("claim_pending", pending), SlotSet("rating_due", False)]
        except InvalidInput as error:
            logger.info("claim refused by backend: %s", error.code)
            dispatcher.utter_message(
                text=(error.message or "抱歉，理赔信息有一项没通过校验。") + "您可以重新发起理赔，我再帮您登记一次。"
            )
            return [*cleared_form(), SlotSet("rating_due", False)]
        await finish_claim(dispatcher, tracker, claim, payload, urls)
        return [*cleared_form(), SlotSet("claim_pending", None), SlotSet("last_claim_number", claim["number"]),
                SlotSet("rating_due", True), SlotSet("rating_ticket", claim["number"])]


async def retry_pending_claim(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Called on every customer turn while a confirmed claim waits for the backend."""
    pending = tracker.get_slot("claim_pending")
    if not isinstance(pending, dict) or not pending.get("payload"):
        return []
    try:
        claim = await send_claim(pending["payload"], pending["key"])
    except BackendUnavailable:
        return []
    except InvalidInput:
        await deferred_writes.forget(pending["key"])
        dispatcher.utter_message(text="抱歉，之前保留的理赔申请没能提交，请再发一次“申请理赔”，我重新帮您登记。")
        return [SlotSet("claim_pending", None)]
    await deferred_writes.forget(pending["key"])
    dispatcher.utter_message(text="刚才没提交成功的理赔申请现在已补交。")
    await finish_claim(dispatcher, tracker, claim, pending["payload"], list(pending.get("urls") or []))
    return [SlotSet("claim_pending", None), SlotSet("last_claim_number", claim["number"])]


async def attach_late_photo(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """A photo sent outside the claim form goes to this conversation's latest claim."""
    image_url = tt.latest_metadata(tracker).get("image_url")
    number = tracker.get_slot("last_claim_number")
    if not image_url or not number or tracker.active_loop_name == "claim_form":
        return []
    if await call_backend(upload_photo, number, image_url):
        dispatcher.utter_message(text=f"照片已补充到理赔单 {number}。")
    else:
        dispatcher.utter_message(text="抱歉，这张照片没能保存，请稍后再发一次。")
    return []


# ---- status --------------------------------------------------------------------------------------------
def claim_status_text(claim: dict[str, Any]) -> str:
    changed = tt.last_change(claim.get("history")) or claim.get("created_at")
    lines = [
        f"理赔单 {claim.get('number')}（{TYPE_LABEL.get(claim.get('claim_type') or '', '理赔')}）",
        f"当前进度：{claim.get('stage_text') or claim.get('stage')}（更新于 {tt.format_time(changed)}）",
    ]
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
)


class ValidateClaimStatusForm(FormValidationAction):
    """One slot: a claim number (plus the phone's last 4 digits unless this chat filed it), or the phone it was
    filed with plus proof (see actions/ticket_lookup.py)."""

    def name(self) -> str:
        return "validate_claim_status_form"

    async def extract_claim_lookup(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        number = tt.number_in(tracker, "claim_id", tt.CLAIM_NO_RE)
        if number:
            return {"claim_lookup": number}
        phone = tt.phone_in(tracker)
        if phone:
            return {"claim_lookup": phone}
        asked = _asked(tracker)
        if asked == "claim_lookup" and not _interrupting(tracker):
            return {"claim_lookup": tt.latest_text(tracker)}
        if asked is None:
            known = tracker.get_slot("last_claim_number") or tracker.get_slot("phone")
            if known:
                return {"claim_lookup": known}
        return {}

    async def validate_claim_lookup(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "")
        found = tt.CLAIM_NO_RE.search(text)
        if found:
            return await lookup.by_number(dispatcher, tracker, CLAIM_LOOKUP, found.group(0).upper())
        ticket = lookup.pending_ticket(tracker, CLAIM_LOOKUP)
        if ticket:
            last4 = lookup.phone_last4_in(text)
            if last4:
                return await lookup.by_ticket_proof(dispatcher, CLAIM_LOOKUP, ticket, last4, tracker.sender_id)
            return lookup.ask_phone_digits_again(dispatcher, CLAIM_LOOKUP, ticket)
        phone = normalise_mobile(text)
        if phone:
            return await lookup.by_phone(dispatcher, domain, tracker, CLAIM_LOOKUP, phone)
        pending = lookup.pending_phone(tracker, CLAIM_LOOKUP)
        if pending:
            last4 = lookup.proof_in(text)
            if last4:
                return await lookup.by_proof(dispatcher, tracker, CLAIM_LOOKUP, pending, last4)
            return lookup.ask_proof_again(dispatcher, CLAIM_LOOKUP, pending)
        ask_again(dispatcher, domain, "claim_lookup",
                  "没认出理赔单号，单号是 CL 开头的一串数字（比如 CL731055281901）；也可以告诉我申请时留的手机号。")
        return {"claim_lookup": None}


class ActionClaimStatus(Action):
    """What the look-up form found was shown while validating; a number left in the slot is shown here, in
    full only for this chat's own claims (the backend decides)."""

    def name(self) -> str:
        return "action_claim_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        key = str(tracker.get_slot("claim_lookup") or "")
        done = [SlotSet("claim_lookup", None)]
        if not key or key == lookup.ANSWERED:
            return done
        numbers = lookup.ticket_numbers(key, tt.CLAIM_NO_RE)
        client = get_client()
        try:
            if not numbers:
                phone = normalise_mobile(key)
                if phone:  # never a list by phone: how many, and what to send for details
                    counts = await call_backend(client.count_claims, phone)
                    dispatcher.utter_message(text=lookup.count_text(CLAIM_LOOKUP, phone, counts)
                                             + "查看详情请发理赔单号（CL 开头）。")
                return done
            claims = [await call_backend(client.get_claim, number, tracker.sender_id) for number in numbers]
        except NotFound:
            dispatcher.utter_message(text=f"没有查到理赔单 {key}，请核对一下单号（CL 开头），或者告诉我申请时的手机号。")
            return done
        except (BackendUnavailable, InvalidInput, TooManyAttempts):
            utter_backend_down(dispatcher)
            return done
        intro = "" if len(claims) == 1 else f"为您找到 {len(claims)} 条理赔：\n"
        dispatcher.utter_message(text=intro + "\n\n".join(
            claim_status_text(c) if c.get("details") else lookup.stage_text(CLAIM_LOOKUP, c) for c in claims))
        return done
