"""Complaint and claim status by ticket number or by phone number, without telling anything about another person.

A ticket number alone shows only that the ticket exists and its stage, unless this conversation filed it: the
details need the last 4 digits of the phone the ticket was filed with, checked (and wrong answers counted per
ticket) by the backend, which also rate-limits look-ups per conversation (429 `too_many_lookups`).

Knowing a phone number proves nothing: a look-up by phone says only how many tickets that phone has, then asks
for the ticket number or the last 4 digits of the tracking number on the ticket. Details are shown only for
tickets found with that proof. Wrong digits count against `settings.verification_max_tries` for the whole
conversation, and the backend counts them per phone across every chat (VERIFICATION_MAX_FAILURES, then a
429 lockout), so the 10,000 endings cannot be tried one by one, nor spread over many conversations.

State between the question and the answer lives in the conversation itself: the phone in the `phone` slot,
and the question's message metadata (`LOOKUP_PROOF` = the masked phone it asked about, `LOOKUP_MISS` on each
wrong answer, `LOOKUP_TICKET` = the ticket number whose phone digits it asked for).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import call_backend, utter_backend_down
from actions.form_questions import ASKS_FOR
from actions.proof_lockout import TICKETS_BY_PHONE, lockout_text, lockout_text_for, wait_text
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
from bot.vocabulary import ticket_numbers as numbers
from bot.vocabulary import tracking_numbers
from bot.vocabulary.phones import mask_phone, normalise_mobile

logger = logging.getLogger(__name__)

# The slot value when the look-up was already answered while validating: the status action shows nothing more.
ANSWERED = "answered"
LOOKUP_PROOF = "lookup_proof"
LOOKUP_MISS = "lookup_miss"
LOOKUP_TICKET = "lookup_ticket"
_LAST4_RE = re.compile(r"(?<!\d)(\d{4})(?!\d)")


@dataclass(frozen=True)
class TicketKind:
    slot: str  # the status form's slot, e.g. complaint_lookup
    label: str  # 投诉 / 理赔
    number_hint: str  # how its ticket number looks, e.g. 投诉单号（CP 开头）
    count: Callable[[BackendClient, str], dict[str, Any]]
    find: Callable[[BackendClient, str, str], dict[str, Any]]
    get: Callable[[BackendClient, str, str], dict[str, Any]]  # (number, conversation id)
    verify: Callable[[BackendClient, str, str, str], dict[str, Any]]  # (number, phone's last 4, conversation id)
    describe: Callable[[dict[str, Any]], str]  # a ticket's details as the customer sees them
    prefix: str  # claim / complaint: names its status form and action (validate_claim_status_form…)
    code: str  # CL / CP, how its numbers start
    pattern: re.Pattern[str]  # its ticket numbers in free text
    entity: str  # the NLU entity holding such a number (claim_id / complaint_id)
    filed_verb: str  # 申请 / 登记: how the customer filed it ("申请时的手机号")
    unrecognised_hint: str  # the hint for an answer that is neither a number nor a phone
    remembered_slot: str | None = None  # a slot holding this chat's latest number, looked up unasked
    # The service rule answered to a general question ("理赔一般多久到账"), before offering a look-up.
    rule_text: Callable[[], str] = lambda: ""


def _previous_question(tracker: Tracker, kind: TicketKind, key: str) -> str | None:
    """What the bot's previous turn noted under `key` when it asked for `kind`'s look-up (the customer's answer
    is only read as proof for the very question that asked for it)."""
    seen_latest_user = False
    for event in reversed(tracker.events):
        name = event.get("event")
        if name == "user":
            if seen_latest_user:
                return None
            seen_latest_user = True
        elif name == "bot" and seen_latest_user:
            metadata = event.get("metadata") or {}
            if metadata.get(ASKS_FOR) == kind.slot and metadata.get(key):
                return str(metadata[key])
    return None


def _asked_with_proof(tracker: Tracker, kind: TicketKind) -> str | None:
    """The masked phone the bot's previous turn asked proof for, if it did."""
    return _previous_question(tracker, kind, LOOKUP_PROOF)


def pending_phone(tracker: Tracker, kind: TicketKind) -> str | None:
    """The phone whose tickets the customer is proving, when the previous question asked for the proof."""
    asked_about = _asked_with_proof(tracker, kind)
    phone = normalise_mobile(tracker.get_slot("phone"))
    return phone if asked_about and phone and mask_phone(phone) == asked_about else None


def misses(tracker: Tracker, kind: TicketKind) -> int:
    return sum(1 for event in tracker.events
               if event.get("event") == "bot" and (event.get("metadata") or {}).get(LOOKUP_MISS) == kind.slot)


def proof_in(text: str) -> str | None:
    """The last 4 digits of a tracking number: given alone, or as the whole number."""
    whole = tracking_numbers.IN_TEXT.search(text.replace(" ", ""))
    if whole:
        return whole.group(1)[-4:]
    found = _LAST4_RE.search(text)
    return found.group(1) if found else None


def _ask_proof(dispatcher: CollectingDispatcher, kind: TicketKind, phone: str, text: str, *,
               missed: bool = False) -> None:
    metadata = {ASKS_FOR: kind.slot, LOOKUP_PROOF: mask_phone(phone)}
    if missed:
        metadata[LOOKUP_MISS] = kind.slot
    dispatcher.utter_message(text=text, **metadata)


def _proof_request(kind: TicketKind) -> str:
    return (f"为保护您的隐私，请发一下{kind.number_hint}，或者这条{kind.label}关联的快递单号的后 4 位，"
            "核对后为您显示详细进度。")


def _locked(dispatcher: CollectingDispatcher, kind: TicketKind) -> dict[str, Any]:
    dispatcher.utter_message(
        text=f"抱歉，核对未通过的次数已达上限。为保护个人信息，本次对话中不能再凭手机号查询{kind.label}了。"
        f"您可以直接发{kind.number_hint}查询；需要帮助的话回复“转人工”。",
        **{LOOKUP_MISS: kind.slot},
    )
    return {kind.slot: ANSWERED}


def count_text(kind: TicketKind, phone: str, counts: dict[str, Any]) -> str:
    total, still_open = int(counts.get("total") or 0), int(counts.get("open") or 0)
    masked = mask_phone(phone)
    if not still_open:
        return f"手机号 {masked} 名下的 {total} 条{kind.label}都已办结。"
    closed = f"，另有 {total - still_open} 条已办结" if total > still_open else ""
    return f"手机号 {masked} 名下有 {still_open} 条{kind.label}正在处理{closed}。"


async def by_phone(dispatcher: CollectingDispatcher, domain: DomainDict, tracker: Tracker, kind: TicketKind,
                   phone: str) -> dict[str, Any]:
    """A phone was given: say how many tickets it has and ask for the proof (the form keeps asking)."""
    if misses(tracker, kind) >= get_settings().verification_max_tries:
        return _locked(dispatcher, kind)
    try:
        counts = await call_backend(kind.count, get_client(), phone)
    except (BackendUnavailable, InvalidInput) as error:
        logger.warning("%s count by phone failed: %s", kind.slot, error.code)
        utter_backend_down(dispatcher)
        return {kind.slot: ANSWERED}
    if not counts.get("total"):
        dispatcher.utter_message(
            text=f"手机号 {mask_phone(phone)} 名下没有查到{kind.label}记录。如果是用别的号码登记的，可以换个号码再试，"
            f"也可以直接发{kind.number_hint}。"
        )
        return {kind.slot: ANSWERED}
    _ask_proof(dispatcher, kind, phone, count_text(kind, phone, counts) + _proof_request(kind))
    return {kind.slot: None, "phone": phone}


async def by_proof(dispatcher: CollectingDispatcher, tracker: Tracker, kind: TicketKind, phone: str,
                   last4: str) -> dict[str, Any]:
    """The last 4 digits for the phone asked about: the matching ticket numbers, or one try fewer."""
    try:
        found = await call_backend(kind.find, get_client(), phone, last4)
    except TooManyAttempts as locked:
        # The backend's count per phone, across every chat, is the lock that protects.
        dispatcher.utter_message(text=lockout_text_for(TICKETS_BY_PHONE, locked), **{LOOKUP_MISS: kind.slot})
        return {kind.slot: ANSWERED}
    except (BackendUnavailable, InvalidInput) as error:
        logger.warning("%s look-up by proof failed: %s", kind.slot, error.code)
        utter_backend_down(dispatcher)
        return {kind.slot: ANSWERED}
    items = found.get("items") or []
    if items:
        # Proven for this phone: the details at once (a look-up by number would only show the stage).
        intro = "" if len(items) == 1 else f"为您找到 {len(items)} 条{kind.label}：\n"
        dispatcher.utter_message(text=intro + "\n\n".join(kind.describe(item) for item in items[:3]))
        return {kind.slot: ANSWERED}
    if found.get("attempts_left") == 0:
        dispatcher.utter_message(text=lockout_text(TICKETS_BY_PHONE, int(found.get("retry_after_s") or 60)),
                                 **{LOOKUP_MISS: kind.slot})
        return {kind.slot: ANSWERED}
    left = get_settings().verification_max_tries - misses(tracker, kind) - 1
    if isinstance(found.get("attempts_left"), int):
        left = min(left, found["attempts_left"])
    if left <= 0:
        return _locked(dispatcher, kind)
    _ask_proof(dispatcher, kind, phone,
               f"抱歉，这个快递单号后 4 位和手机号 {mask_phone(phone)} 名下的{kind.label}没有对上，"
               f"您还可以再试 {left} 次。也可以直接发{kind.number_hint}。", missed=True)
    return {kind.slot: None}


def ask_proof_again(dispatcher: CollectingDispatcher, kind: TicketKind, phone: str) -> dict[str, Any]:
    """An answer that is neither a number nor 4 digits while the proof is asked: say what fits, keep asking."""
    _ask_proof(dispatcher, kind, phone,
               f"没认出来。请发{kind.number_hint}，或者{kind.label}关联的快递单号的后 4 位（比如 5678）。")
    return {kind.slot: None}


def ticket_numbers(key: str, pattern: re.Pattern[str]) -> list[str]:
    """The ticket numbers a look-up resolved to (one, or several found with the proof)."""
    return [found.group(0).upper() for found in pattern.finditer(key)]


# ---- by ticket number ----------------------------------------------------------------------------------
def pending_ticket(tracker: Tracker, kind: TicketKind) -> str | None:
    """The ticket number whose phone digits the bot's previous turn asked for, if it did."""
    return _previous_question(tracker, kind, LOOKUP_TICKET)


def phone_last4_in(text: str) -> str | None:
    """The last 4 digits of a phone: given alone, or as the whole number."""
    phone = normalise_mobile(text)
    if phone:
        return phone[-4:]
    found = _LAST4_RE.search(text)
    return found.group(1) if found else None


def _ask_phone_digits(dispatcher: CollectingDispatcher, kind: TicketKind, number: str, text: str) -> dict[str, Any]:
    dispatcher.utter_message(text=text, **{ASKS_FOR: kind.slot, LOOKUP_TICKET: number})
    return {kind.slot: None}


def _answered(dispatcher: CollectingDispatcher, kind: TicketKind, text: str) -> dict[str, Any]:
    dispatcher.utter_message(text=text)
    return {kind.slot: ANSWERED}


def _refused(kind: TicketKind, number: str, error: TooManyAttempts) -> str:
    if error.code == "verification_locked":
        return lockout_text(f"{kind.label}单 {number} 的核对", error.retry_after_s)
    return (f"抱歉，单号查询的次数有点多，为了保护大家的信息安全，请 {wait_text(error.retry_after_s)}后再试。"
            "着急的话可以回复“转人工”，由人工客服帮您查。")


def stage_text(kind: TicketKind, ticket: dict[str, Any], *, asking: bool = False) -> str:
    """A ticket seen without proof: its stage, and how to see more (`asking`: the form waits for the digits)."""
    stage = ticket.get("stage_text") or ticket.get("stage") or "处理中"
    more = ("查看详细情况请回复登记时所留手机号的后 4 位。" if asking
            else "查看详细情况请再发一次单号，我会请您核对登记时所留手机号的后 4 位。")
    return f"{kind.label}单 {ticket.get('number')} 目前的进度：{stage}。为保护个人信息，{more}"


def _not_found(kind: TicketKind, number: str) -> str:
    return f"抱歉，没有查到{kind.label}单 {number}，请核对一下{kind.number_hint}，或者告诉我登记时留的手机号。"


async def by_number(dispatcher: CollectingDispatcher, tracker: Tracker, kind: TicketKind,
                    number: str) -> dict[str, Any]:
    """A ticket number: its details when this chat filed it, else its stage and a request for the phone digits.

    Inside a look-up by phone the customer already named the phone: its last 4 digits are tried at once."""
    if not numbers.checks_out(number[2:]):
        # The check digit caught a typo: say so before a look-up is spent on it.
        dispatcher.utter_message(
            text=f"这个单号 {number} 好像有一位输错了，麻烦核对一下{kind.number_hint}再发我。",
            **{ASKS_FOR: kind.slot})
        return {kind.slot: None}
    client, chat = get_client(), tracker.sender_id
    try:
        ticket = await call_backend(kind.get, client, number, chat)
        phone = pending_phone(tracker, kind)
        if not ticket.get("details") and phone:
            return await by_ticket_proof(dispatcher, kind, number, phone[-4:], chat)
    except NotFound:
        return _answered(dispatcher, kind, _not_found(kind, number))
    except TooManyAttempts as refused:
        return _answered(dispatcher, kind, _refused(kind, number, refused))
    except (BackendUnavailable, InvalidInput, VerificationFailed) as error:
        logger.warning("%s look-up by number failed: %s", kind.slot, error.code)
        utter_backend_down(dispatcher)
        return {kind.slot: ANSWERED}
    if ticket.get("details"):
        return _answered(dispatcher, kind, kind.describe(ticket))
    return _ask_phone_digits(dispatcher, kind, number, stage_text(kind, {**ticket, "number": number}, asking=True))


async def by_ticket_proof(dispatcher: CollectingDispatcher, kind: TicketKind, number: str, last4: str,
                          chat: str) -> dict[str, Any]:
    """The phone's last 4 digits for the ticket asked about: its details, or how many tries are left."""
    try:
        ticket = await call_backend(kind.verify, get_client(), number, last4, chat)
    except VerificationFailed as wrong:
        left = wrong.detail.get("attempts_left")
        if wrong.code != "verification_failed" or not isinstance(left, int):
            utter_backend_down(dispatcher)
            return {kind.slot: ANSWERED}
        if left <= 0:
            text = lockout_text(f"{kind.label}单 {number} 的核对", int(wrong.detail.get("retry_after_s") or 60))
            return _answered(dispatcher, kind, text)
        return _ask_phone_digits(
            dispatcher, kind, number,
            f"抱歉，手机号后 4 位和{kind.label}单 {number} 登记的号码没有对上，您还可以再试 {left} 次。"
            "请回复登记时所留手机号的后 4 位。")
    except NotFound:
        return _answered(dispatcher, kind, _not_found(kind, number))
    except TooManyAttempts as refused:
        return _answered(dispatcher, kind, _refused(kind, number, refused))
    except (BackendUnavailable, InvalidInput) as error:
        logger.warning("%s proof for a ticket failed: %s", kind.slot, error.code)
        utter_backend_down(dispatcher)
        return {kind.slot: ANSWERED}
    return _answered(dispatcher, kind, kind.describe(ticket))


def ask_phone_digits_again(dispatcher: CollectingDispatcher, kind: TicketKind, number: str) -> dict[str, Any]:
    """An answer without 4 digits while the phone digits for a ticket are asked: say what fits, keep asking."""
    return _ask_phone_digits(dispatcher, kind, number,
                             f"没认出来。查看{kind.label}单 {number} 的详细情况，请回复登记时所留手机号的后 4 位（比如 5678）。")
