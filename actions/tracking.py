"""Tracking (查件): the number from the message or asked for, the parcel summary, verification for details."""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import BACKEND_DOWN_TEXT, call_backend, then_listen
from actions.form_validation import FormValidation
from actions.forms_common import (
    entities,
    is_activation,
    is_answer_turn,
    is_off_topic,
    latest_intent,
    latest_text,
)
from actions.proof_lockout import PARCEL as PARCEL_PROOF
from actions.proof_lockout import lockout_text, lockout_text_for
from actions.tracking_card import tracking_card
from bot.clients.backend import (
    BackendClient,
    BackendUnavailable,
    InvalidInput,
    NotFound,
    TooManyAttempts,
    VerificationFailed,
    get_client,
)
from bot.settings import get_settings
from bot.vocabulary import phones, tracking_numbers
from bot.vocabulary.phones import mask_phone

logger = logging.getLogger(__name__)

MAX_NUMBERS_PER_MESSAGE = 5

# Anything that looks like an attempt at a number: letters glued to digits, or a long run of digits.
_CANDIDATE_RE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{1,3}\s?\d{4,}|\d{8,})(?![A-Za-z0-9])")

FORMAT_HINT = (
    "这个单号的格式好像不太对 🤔 我们的单号是 ZT 加 12 位数字（如 ZT123456789012），"
    "也支持顺丰 SF、京东 JD、圆通 YT 开头的单号或 12–15 位纯数字单号。"
)

STATUS_EMOJI = {
    "collected": "📦", "in_transit": "🚚", "at_hub": "🏭", "out_for_delivery": "🛵",
    "delivered": "✅", "exception": "⚠️", "delayed": "⏰", "returned": "↩️",
}


def is_valid_tracking_number(value: str) -> bool:
    return tracking_numbers.is_valid(value)


def tracking_numbers_in(tracker: Tracker) -> tuple[list[str], list[str]]:
    """(valid numbers, malformed attempts) in the latest message, in order, without duplicates."""
    text = latest_text(tracker)
    raw = [str(e.get("value") or "") for e in entities(tracker, "tracking_number")]
    raw += [m.group(1) for m in _CANDIDATE_RE.finditer(text)]
    valid: list[str] = []
    malformed: list[str] = []
    for value in raw:
        number = value.strip().upper().replace(" ", "")
        if not number:
            continue
        if is_valid_tracking_number(number):
            if number not in valid:
                valid.append(number)
        elif not phones.is_mobile(number) and number not in malformed:
            malformed.append(number)
    # "ZT1234567890123" may also have matched as a bare-digit run: drop malformed parts of valid numbers
    malformed = [m for m in malformed if not any(m in v or v in m for v in valid)]
    return valid, malformed


def _short_time(value: str | None) -> str:
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return f"{moment.month}月{moment.day}日 {moment:%H:%M}"


def _date_text(value: str | None) -> str:
    if not value:
        return "暂无"
    try:
        day = datetime.fromisoformat(value).date()
    except ValueError:
        return value
    return f"{day.month}月{day.day}日"


def format_summary(parcel: dict[str, Any]) -> str:
    status = parcel.get("status") or ""
    lines = [f"{STATUS_EMOJI.get(status, '📦')} 单号 {parcel.get('tracking_number')}：{parcel.get('status_text') or status}"]
    route = f"{parcel.get('origin_city') or ''} → {parcel.get('destination_city') or ''}".strip(" →")
    if route:
        lines.append(f"线路：{route}")
    if parcel.get("current_city") and status != "delivered":
        lines.append(f"当前所在：{parcel['current_city']}")
    if status != "delivered":
        lines.append(f"预计送达：{_date_text(parcel.get('eta'))}")
    courier = parcel.get("courier") or {}
    if courier.get("name"):
        # masked by the backend unless the customer verified (then in full, to call at the door)
        lines.append(f"派送快递员：{courier['name']} {courier.get('phone') or ''}".rstrip())
    event = parcel.get("last_event") or {}
    if event:
        where = f" {event['city']}" if event.get("city") else ""
        lines.append(f"最新动态：{_short_time(event.get('time'))}{where} {event.get('description') or ''}".rstrip())
    return "\n".join(lines)


def _needs_apology(parcel: dict[str, Any]) -> bool:
    return bool(parcel.get("is_delayed") or parcel.get("is_exception")) or parcel.get("status") in (
        "delayed", "exception",
    )


def format_details(details: dict[str, Any], photo: dict[str, Any] | None = None) -> str:
    """The verified reply; `photo` is the signed link to the sign-off photo when one could be had."""
    lines = ["已核实身份，完整信息如下：", format_summary(details)]
    for label, key in (("寄件人", "sender"), ("收件人", "receiver")):
        person = details.get(key) or {}
        if person:
            lines.append(
                f"{label}：{person.get('name') or ''} {mask_phone(person.get('phone')) or ''}，{person.get('address') or ''}"
            )
    events = details.get("events") or []
    if events:
        lines.append("物流轨迹：")
        for event in events[-8:]:
            where = f" {event['city']}" if event.get("city") else ""
            lines.append(f"· {_short_time(event.get('time'))}{where} {event.get('description') or ''}".rstrip())
    proof = details.get("proof_of_delivery")
    if proof:
        lines.append(f"签收人：{proof.get('signed_by') or ''}，签收时间：{_short_time(proof.get('signed_at'))}")
        if photo:
            lines.append(f"签收照片见下图（链接 {photo.get('valid_minutes') or ''} 分钟内有效，过期后重新查询即可）。")
        elif proof.get("photo_available"):
            lines.append("签收照片暂时无法显示，请稍后再查询一次。")
    return "\n".join(lines)


async def sign_off_photo(client: BackendClient, details: dict[str, Any], token: str) -> dict[str, Any] | None:
    """The signed photo link for a verified customer, or None (no photo, or the backend could not give one:
    the rest of the details are still shown)."""
    if not (details.get("proof_of_delivery") or {}).get("photo_available"):
        return None
    try:
        return await call_backend(client.get_pod_photo_link, details["tracking_number"], token)
    except (BackendUnavailable, NotFound, VerificationFailed, InvalidInput) as error:
        logger.warning("sign-off photo link for %s not issued: %s", details.get("tracking_number"), error.code)
        return None


class ValidateTrackingForm(FormValidation):
    def name(self) -> str:
        return "validate_tracking_form"

    async def extract_tracking_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not is_answer_turn(tracker):
            return {}
        valid, malformed = tracking_numbers_in(tracker)
        if valid:
            return {"tracking_number": valid[0]}
        if malformed:
            return self.refuse(dispatcher, domain, "tracking_number", FORMAT_HINT + "麻烦核对后再发一下。")
        if is_activation(tracker) and latest_intent(tracker) == "track_parcel":
            # a new "查件" without a number: ask, rather than silently reuse the last parcel
            return {"tracking_number": None}
        if self.is_asked(tracker, "tracking_number"):
            if is_off_topic(tracker):
                return {}  # answered by the off-topic rule, then the question once
            # the question itself says what a number looks like, with an example
            return {"tracking_number": None}
        return {}

    def validate_tracking_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value and is_valid_tracking_number(str(value)):
            return {"tracking_number": str(value).strip().upper().replace(" ", "")}
        return {"tracking_number": None}


class ActionTrackParcel(Action):
    """Answer every number in the message; offer verification for the full details of the first found."""

    def name(self) -> str:
        return "action_track_parcel"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return then_listen(await self.answer(dispatcher, tracker))

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        numbers, malformed = tracking_numbers_in(tracker)
        if not numbers and malformed:
            # asked directly (no form in between): a number that is no number gets the hint, not a look-up
            dispatcher.utter_message(text=FORMAT_HINT + "麻烦核对后再发一下。")
            return [SlotSet("tracking_number", None), SlotSet("awaiting_verification", False)]
        if not numbers and tracker.get_slot("tracking_number"):
            numbers = [tracker.get_slot("tracking_number")]
        numbers = numbers[:MAX_NUMBERS_PER_MESSAGE]
        if not numbers:
            dispatcher.utter_message(response="utter_ask_tracking_number")
            return []
        client = get_client()
        results = await asyncio.gather(
            *(call_backend(client.get_parcel, n) for n in numbers), return_exceptions=True
        )
        found: list[dict[str, Any]] = []
        down = False
        for number, result in zip(numbers, results, strict=False):
            if isinstance(result, NotFound):
                dispatcher.utter_message(
                    text=f"抱歉，没有查到单号 {number} 的信息。请核对一下单号，刚寄出的包裹可能要过几个小时才有记录。"
                )
            elif isinstance(result, InvalidInput):
                dispatcher.utter_message(text=f"{number}：{FORMAT_HINT}")
            elif isinstance(result, BaseException):
                if not isinstance(result, BackendUnavailable):
                    logger.exception("tracking %s failed", number, exc_info=result)
                down = True
            else:
                found.append(result)
                self._utter_parcel(dispatcher, result)
        if down:
            dispatcher.utter_message(text=BACKEND_DOWN_TEXT)
        if not found:
            return [SlotSet("awaiting_verification", False)]
        first = found[0]["tracking_number"]
        events: list[EventType] = [SlotSet("tracking_number", first)]
        failures = (tracker.get_slot("verification_failures") or {}).get(first, 0)
        if failures >= get_settings().verification_max_tries:
            return events + [SlotSet("awaiting_verification", False)]
        which = f"单号 {first} " if len(found) > 1 else ""
        dispatcher.utter_message(
            text=f"如需查看{which}收寄件地址、收件人和签收凭证等完整信息，请回复寄件人或收件人手机号的后 4 位，核实后为您展示。"
        )
        return events + [SlotSet("awaiting_verification", True)]

    @staticmethod
    def _utter_parcel(dispatcher: CollectingDispatcher, parcel: dict[str, Any]) -> None:
        summary = format_summary(parcel)
        # The card rides on the same message: clients that draw no cards still have the whole answer in the text.
        card = tracking_card(parcel)
        if not _needs_apology(parcel):
            dispatcher.utter_message(text=summary, custom=card)
            return
        problem = "出现异常" if parcel.get("is_exception") or parcel.get("status") == "exception" else "有所延误"
        dispatcher.utter_message(
            text=f"{summary}\n非常抱歉，您的包裹{problem}，给您添麻烦了。我们正在加紧处理；"
            "如果您需要，可以回复“催一下”让派送网点加急跟进，也可以直接在这里投诉或申请理赔，单号我已经帮您记下了。",
            buttons=[
                {"title": "我要投诉", "payload": "/file_complaint"},
                {"title": "申请理赔", "payload": "/file_claim"},
            ],
            custom=card,
        )


_LAST4_RE = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def phone_last4_in(text: str) -> str | None:
    full = phones.first_mobile(text)
    if full:
        return full[-4:]
    match = _LAST4_RE.search(text)
    return match.group(1) if match else None


class ActionVerifyParcel(Action):
    """Last 4 digits of a phone on the parcel → full details. Three wrong tries lock it for this chat; the
    backend's count per parcel, across every chat, is the lock that protects (429 → a polite wait)."""

    def name(self) -> str:
        return "action_verify_parcel"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracking_numbers_in(tracker)[0]:
            # a new number instead of the digits: the customer moved on to tracking it
            return then_listen(await ActionTrackParcel().answer(dispatcher, tracker))
        return then_listen(await self._verify(dispatcher, tracker))

    @staticmethod
    async def _verify(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        number = tracker.get_slot("tracking_number")
        if not number:
            dispatcher.utter_message(response="utter_ask_tracking_number")
            return [SlotSet("awaiting_verification", False)]
        max_tries = get_settings().verification_max_tries
        failures: dict[str, int] = dict(tracker.get_slot("verification_failures") or {})
        if failures.get(number, 0) >= max_tries:
            dispatcher.utter_message(text=_locked_text())
            return [SlotSet("awaiting_verification", False)]
        digits = phone_last4_in(latest_text(tracker))
        if not digits:
            dispatcher.utter_message(text="请回复寄件人或收件人手机号的后 4 位数字，比如 5678。")
            return []
        client = get_client()
        try:
            grant = await call_backend(client.verify_parcel, number, digits)
            details = await call_backend(client.get_parcel_details, number, grant["token"])
        except TooManyAttempts as locked:
            # Locked by the backend's count for this parcel (wrong answers from any chat): the same reply
            # whatever the digits were.
            dispatcher.utter_message(text=lockout_text_for(PARCEL_PROOF, locked))
            return [SlotSet("awaiting_verification", False)]
        except VerificationFailed as failed:
            failures[number] = failures.get(number, 0) + 1
            backend_left = failed.detail.get("attempts_left")
            if backend_left == 0:
                dispatcher.utter_message(text=lockout_text(PARCEL_PROOF, int(failed.detail.get("retry_after_s") or 60)))
                return [SlotSet("verification_failures", failures), SlotSet("awaiting_verification", False)]
            left = max_tries - failures[number]
            if isinstance(backend_left, int):
                left = min(left, backend_left)
            if left > 0:
                dispatcher.utter_message(
                    text=f"抱歉，手机号后 4 位没有核对上，您还可以再试 {left} 次。请确认是寄件人或收件人的手机号。"
                )
                return [SlotSet("verification_failures", failures)]
            dispatcher.utter_message(text=_locked_text())
            return [SlotSet("verification_failures", failures), SlotSet("awaiting_verification", False)]
        except NotFound:
            dispatcher.utter_message(text=f"抱歉，没有查到单号 {number} 的信息，请核对一下单号。")
            return [SlotSet("awaiting_verification", False)]
        except BackendUnavailable:
            dispatcher.utter_message(text=BACKEND_DOWN_TEXT)
            return []
        photo = await sign_off_photo(client, details, grant["token"])
        card = tracking_card(details, verified=True)
        if photo:
            dispatcher.utter_message(text=format_details(details, photo), image=photo["url"], custom=card)
        else:
            dispatcher.utter_message(text=format_details(details), custom=card)
        return [SlotSet("awaiting_verification", False)]


def _locked_text() -> str:
    return (
        "抱歉，核实未通过的次数已达上限。为保护收寄件人的信息安全，本次对话中无法再查看这个包裹的完整信息。"
        "物流状态仍可以随时查询；如有需要，回复“转人工”由人工客服为您核实。"
    )
