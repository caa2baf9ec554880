"""Reading customers' free text for the ticket flows (complaints, claims, ratings) and formatting dates.

Entities from NLU come first; these regexes are the fallback so a number typed in an unusual sentence still
counts. Only Simplified text is handled: the channel converts Traditional input before NLU.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk import Tracker

from actions.common import first_value
from bot.settings import get_settings
from bot.vocabulary import ticket_numbers, tracking_numbers
from bot.vocabulary.phones import first_mobile, normalise_mobile
from bot.vocabulary.script import simplify_keeping_offsets, to_simplified

# The backend's accepted formats, found in free text (bot/vocabulary/tracking_numbers.py).
TRACKING_RE = tracking_numbers.IN_TEXT
# Ticket numbers, new (CP + 12 digits with a check digit) and old dated ones: bot/vocabulary/ticket_numbers.py.
COMPLAINT_NO_RE = ticket_numbers.in_text(ticket_numbers.COMPLAINT)
CLAIM_NO_RE = ticket_numbers.in_text(ticket_numbers.CLAIM)

# "没有/不用/跳过" style answers to an optional question.
_NONE_RE = re.compile(r"^(没有|没|无|不用|不需要|不知道|忘了|跳过|略|没单号|没有单号|暂时没有|算了吧?不填)")
_NONE_ANYWHERE_RE = re.compile(r"(没有单号|没单号|不记得|找不到单号|跳过|不用填)")

AFFIRM_WORDS = re.compile(r"^(是|是的|对|对的|没错|确认|确定|好|好的|可以|行|嗯|没问题|提交|ok|yes)", re.I)
DENY_WORDS = re.compile(r"(不对|不是|错了|有误|改一下|修改|要改|不正确|^否|^不$|^no\b)", re.I)

# Intents that mean "the customer is doing something else" while a form waits for free text: the form then
# rejects and the shared rules (FAQ answer, cancel, person) take over. Deliberately short: a description
# such as "五天了还在路上" can be mistaken for small talk, and losing it would be worse than keeping a "你好".
INTERRUPTING_INTENTS = {"faq", "cancel", "request_human"}


def latest_text(tracker: Tracker) -> str:
    """The latest message in Simplified script, for matching keywords (Traditional writers included)."""
    return to_simplified(raw_text(tracker))


def raw_text(tracker: Tracker) -> str:
    """The latest message exactly as written: what a ticket's description keeps.

    The NLU's script normaliser hands Simplified text to the pipeline and keeps the customer's own words in
    `original_text`."""
    message = tracker.latest_message or {}
    return (message.get("original_text") or message.get("text") or "").strip()


def latest_intent(tracker: Tracker) -> str:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name") or ""


def latest_metadata(tracker: Tracker) -> dict[str, Any]:
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    return metadata if isinstance(metadata, dict) else {}


def entity_value(tracker: Tracker, name: str) -> Any:
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == name and entity.get("value") not in (None, ""):
            return first_value(entity.get("value"))
    return None


def tracking_number_in(tracker: Tracker) -> str | None:
    value = entity_value(tracker, "tracking_number")
    if value:
        found = TRACKING_RE.search(str(value).replace(" ", ""))
        if found:
            return found.group(1).upper()
    found = TRACKING_RE.search(latest_text(tracker))
    return found.group(1).upper() if found else None


def phone_in(tracker: Tracker) -> str | None:
    return normalise_mobile(entity_value(tracker, "phone")) or first_mobile(latest_text(tracker))


def number_in(tracker: Tracker, entity: str, pattern: re.Pattern[str]) -> str | None:
    value = entity_value(tracker, entity)
    for text in (str(value or ""), latest_text(tracker)):
        found = pattern.search(text)
        if found:
            return found.group(0).upper()
    return None


def without_prefix(pattern: re.Pattern[str], text: str) -> str:
    """`text` after the request words `pattern` matches at its start, read in Simplified so one pattern serves both
    scripts ("申請理賠，…" as "申请理赔，…"); the rest is the customer's own words, in their own script."""
    text = text.strip()
    matched = pattern.match(simplify_keeping_offsets(text))
    return (text[matched.end():] if matched else text).strip()


def says_none(text: str) -> bool:
    text = text.strip()
    return bool(_NONE_RE.match(text) or _NONE_ANYWHERE_RE.search(text))


def says_yes(tracker: Tracker) -> bool:
    if latest_intent(tracker) == "affirm":
        return True
    text = latest_text(tracker).strip()
    return bool(AFFIRM_WORDS.match(text)) and not DENY_WORDS.search(text)


def says_no(tracker: Tracker) -> bool:
    return latest_intent(tracker) == "deny" or bool(DENY_WORDS.search(latest_text(tracker)))


def _local(value: str | datetime | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    zone = ZoneInfo(get_settings().timezone)
    return value.replace(tzinfo=zone) if value.tzinfo is None else value.astimezone(zone)


def format_time(value: str | datetime | None) -> str:
    """ISO time → "11月23日 14:05" in the company's time zone."""
    moment = _local(value)
    return f"{moment.month}月{moment.day}日 {moment:%H:%M}" if moment else "—"


def format_day(value: str | date | None) -> str:
    """ISO date → "11月26日（周四）"."""
    if value is None:
        return "—"
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    weekday = "一二三四五六日"[value.weekday()]
    return f"{value.month}月{value.day}日（周{weekday}）"


def last_change(history: list[dict[str, Any]] | None) -> str | None:
    """Time of the newest stage change in a ticket's history."""
    times = [item.get("at") for item in history or [] if item.get("at")]
    return max(times) if times else None
