"""Complaint and claim status by phone number, without telling anything about another person.

Knowing a phone number proves nothing: a look-up by phone says only how many tickets that phone has, then asks
for the ticket number or the last 4 digits of the tracking number on the ticket. Details are shown only for
tickets found with that proof. Wrong digits count against `settings.verification_max_tries` for the whole
conversation, so the 10,000 endings cannot be tried one by one.

State between the question and the answer lives in the conversation itself: the phone in the `phone` slot,
and the question's message metadata (`LOOKUP_PROOF` = the masked phone it asked about, `LOOKUP_MISS` on each
wrong answer).
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

from actions import ticket_text as tt
from actions.backend_client import BackendClient, BackendUnavailable, InvalidInput, get_client
from actions.common import call_backend, mask_phone, utter_backend_down
from actions.form_questions import ASKS_FOR
from bot.settings import get_settings

logger = logging.getLogger(__name__)

# The slot value when the look-up was already answered while validating: the status action shows nothing more.
ANSWERED = "answered"
LOOKUP_PROOF = "lookup_proof"
LOOKUP_MISS = "lookup_miss"
_LAST4_RE = re.compile(r"(?<!\d)(\d{4})(?!\d)")


@dataclass(frozen=True)
class TicketKind:
    slot: str  # the status form's slot, e.g. complaint_lookup
    label: str  # 投诉 / 理赔
    number_hint: str  # how its ticket number looks, e.g. 投诉单号（CP 开头）
    count: Callable[[BackendClient, str], dict[str, Any]]
    find: Callable[[BackendClient, str, str], dict[str, Any]]


def _asked_with_proof(tracker: Tracker, kind: TicketKind) -> str | None:
    """The masked phone the bot's previous turn asked proof for, if it did."""
    seen_latest_user = False
    for event in reversed(tracker.events):
        name = event.get("event")
        if name == "user":
            if seen_latest_user:
                return None
            seen_latest_user = True
        elif name == "bot" and seen_latest_user:
            metadata = event.get("metadata") or {}
            if metadata.get(ASKS_FOR) == kind.slot and metadata.get(LOOKUP_PROOF):
                return str(metadata[LOOKUP_PROOF])
    return None


def pending_phone(tracker: Tracker, kind: TicketKind) -> str | None:
    """The phone whose tickets the customer is proving, when the previous question asked for the proof."""
    asked_about = _asked_with_proof(tracker, kind)
    phone = tt.normalise_phone(tracker.get_slot("phone"))
    return phone if asked_about and phone and mask_phone(phone) == asked_about else None


def misses(tracker: Tracker, kind: TicketKind) -> int:
    return sum(1 for event in tracker.events
               if event.get("event") == "bot" and (event.get("metadata") or {}).get(LOOKUP_MISS) == kind.slot)


def proof_in(text: str) -> str | None:
    """The last 4 digits of a tracking number: given alone, or as the whole number."""
    whole = tt.TRACKING_RE.search(text.replace(" ", ""))
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
        items = (await call_backend(kind.find, get_client(), phone, last4)).get("items") or []
    except (BackendUnavailable, InvalidInput) as error:
        logger.warning("%s look-up by proof failed: %s", kind.slot, error.code)
        utter_backend_down(dispatcher)
        return {kind.slot: ANSWERED}
    if items:
        return {kind.slot: ",".join(str(item["number"]) for item in items[:3])}
    left = get_settings().verification_max_tries - misses(tracker, kind) - 1
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
