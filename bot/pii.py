"""Personal data masking in free text: phones (mainland, Hong Kong, Taiwan, Macau, landlines), ID-card numbers, addresses.

Used for the agent console (`mask_text`) and every process's logs (`PiiMaskFilter`, installed by
bot/log_masking.py). Phones are found with bot/vocabulary/phones.py's patterns, the ones the forms accept, and
keep their first and last digits (138****5678, 0912***678, 9***4567) so a customer or an agent can still tell
which number is meant; ID cards keep their last 4 characters; a street address keeps
its province/city/district and loses the street, house number and flat.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from bot.vocabulary import phones
from bot.vocabulary.addresses import find_address

# Shapes less distinctive than a mainland mobile must also stand apart from letters, so hex ids and hashes in
# log lines (socket.io sender ids, model fingerprints) keep their digits.
# "*" counts too, so an already masked number is never matched again as a shorter one.
_NOT_ALNUM_BEFORE = r"(?<![0-9A-Za-z*])"
_NOT_ALNUM_AFTER = r"(?![0-9A-Za-z*])"
_SEP = r"[- ]?"

# 18-character resident ID: 6-digit region, birth date 19xx/20xx MMDD, 3 digits, check digit.
_ID_CARD = re.compile(_NOT_ALNUM_BEFORE + r"[1-9][0-9]{5}(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
                      r"[0-9]{3}[0-9Xx]" + _NOT_ALNUM_AFTER)
# Landlines: area code 0 + 1-3 digits (010, 021, 0755; Taiwan 02), then 6-8 digits.
_LANDLINE = re.compile(_NOT_ALNUM_BEFORE + r"(0[0-9]{1,3}[- ]?)[0-9]{2,4}" + _SEP + r"([0-9]{4})" + _NOT_ALNUM_AFTER)

_CJK = "\u4e00-\u9fff"
# A street address: a run of Chinese, letters and digits holding a road/estate word followed by a number and a
# house-number word (张江路123号, 阳光小区3栋, 1502室). The run is cut at punctuation or spaces; both sides are
# bounded so a long log line costs linear time, not quadratic.
_ADDRESS = re.compile(
    rf"[{_CJK}A-Za-z0-9#\-]{{0,30}}?"
    rf"(?:(?:路|街|大道|道|巷|弄|里|胡同|村|小区|小區|花园|花園|苑|大厦|大廈|公寓|广场|廣場)"
    rf"[0-9０-９一二三四五六七八九十百零〇\-]+(?:号|號|弄|栋|棟|幢|座)"
    rf"|[0-9]+(?:单元|單元|室))"
    rf"[{_CJK}A-Za-z0-9#\-]{{0,40}}")
# What an address may keep: everything up to its last province/city/district/county/town.
_ADMIN_PREFIX = re.compile(r"^.*(?:省|市|自治区|自治區|(?<![小社园園])区|(?<![小社园園])區|县|縣|旗|镇|鎮|乡|鄉)")


def _mask_address(match: re.Match[str]) -> str:
    kept = _ADMIN_PREFIX.match(match.group(0))
    return (kept.group(0) if kept else "") + "***"


_RULES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (_ID_CARD, lambda m: f"{'*' * 14}{m.group(0)[-4:]}"),
    # Mobiles are the vocabulary's own patterns (bot/vocabulary/phones.py), so whatever number a form accepts
    # is also one the logs mask. A mainland number loses its country code here: 138****5678.
    (phones.MOBILE_IN_TEXT, lambda m: phones.mask_phone(m.group(1)) or ""),
    phones.MASK_TAIWAN,
    phones.MASK_HK_MO_CODED,
    # Before bare Hong Kong mobiles, so a mainland landline's 8 digits keep their area code: 021-****5678.
    (_LANDLINE, lambda m: f"{m.group(1)}****{m.group(2)}"),
    phones.MASK_HK_BARE,
    (_ADDRESS, _mask_address),
)


def mask_text(text: str) -> str:
    """Free text with every phone, ID-card number and street address in it masked."""
    if not text:
        return text
    for pattern, replace in _RULES:
        text = pattern.sub(replace, text)
    return text


def mask_message(text: str) -> str:
    """A customer's message as the review loop keeps it: `mask_text`, and also an address the vocabulary finds
    by its cue or its place ("住在朝阳区建国路88号" → "住在朝阳区***"), house number or not."""
    for _ in range(3):  # a message naming more addresses than that is masked by `mask_text`'s pattern alone
        found = find_address(text)
        if found is None or found.end <= found.start:
            break
        kept = _ADMIN_PREFIX.match(text[found.start:found.end])
        text = text[:found.start] + (kept.group(0) if kept else "") + "***" + text[found.end:]
    return mask_text(text)


# Attributes every LogRecord has; anything else on a record came from `extra=` (e.g. Sanic's access log puts
# the request line there) and is masked too.
_STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
_PLAIN_ARGUMENTS = (str, int, float, bool, type(None))
_MASKED_FLAG = "_pii_masked"


# Rasa's structlog renders events as JSON with non-ASCII escaped (\u5f20\u6c5f\u8def…): an address would slip past
# the patterns. CJK and other letters from U+2E80 up are turned back into characters (the JSON stays valid: no
# quote, backslash or control character is ever produced).
_ESCAPED_LETTER = re.compile(r"\\u([2-9a-fA-F][0-9a-fA-F]{3})")


def _unescape_letter(match: re.Match[str]) -> str:
    code = int(match.group(1), 16)
    return chr(code) if code >= 0x2E80 and not 0xD800 <= code <= 0xDFFF else match.group(0)


def _mask_log_text(text: str) -> str:
    if "\\u" in text:
        text = _ESCAPED_LETTER.sub(_unescape_letter, text)
    return mask_text(text)


def mask_record(record: logging.LogRecord) -> None:
    """Mask a record's message, arguments, extras, traceback and stack in place (once per record)."""
    if getattr(record, _MASKED_FLAG, False):
        return
    setattr(record, _MASKED_FLAG, True)
    _mask_message(record)
    for key, value in list(vars(record).items()):
        if key not in _STANDARD_ATTRIBUTES and isinstance(value, str):
            setattr(record, key, _mask_log_text(value))
    if record.exc_info and not record.exc_text:
        # Tracebacks quote SQL parameters and exception messages; formatters reuse exc_text once it is set.
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = _mask_log_text(record.exc_text)
    if record.stack_info:
        record.stack_info = _mask_log_text(record.stack_info)


def _mask_message(record: logging.LogRecord) -> None:
    args = record.args
    values = args.values() if isinstance(args, dict) else (args or ())
    if not all(isinstance(value, _PLAIN_ARGUMENTS) for value in values):
        # An object argument (a tracker, a dict of slots) is rendered only by the formatter: render it now.
        try:
            record.msg, record.args = _mask_log_text(record.getMessage()), None
        except Exception:  # a broken format string stays the logging module's problem, unmasked text is not
            record.msg, record.args = _mask_log_text(str(record.msg)), None
        return
    if isinstance(record.msg, str):
        record.msg = _mask_log_text(record.msg)
    elif record.msg is not None and not isinstance(record.msg, _PLAIN_ARGUMENTS):
        record.msg = _mask_log_text(str(record.msg))
    # Arguments are masked one by one (not merged into the message): uvicorn's access formatter unpacks them.
    if isinstance(args, tuple):
        record.args = tuple(_mask_value(arg) for arg in args)
    elif isinstance(args, dict):
        record.args = {key: _mask_value(value) for key, value in args.items()}


def _mask_value(value: object) -> object:
    return _mask_log_text(value) if isinstance(value, str) else value


class PiiMaskFilter(logging.Filter):
    """A handler filter that masks personal data in every record it lets through."""

    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True
