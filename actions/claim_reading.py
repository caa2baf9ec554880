"""What a claim message already says: the kind of loss, whether it was insured, the declared value, the amount.

"申请理赔，ZT100000000002 箱子摔坏了，没保价，里面的花瓶值500元，电话13812345678" names the parcel, the problem,
the insurance and the amount: the claim form takes each from the message, whichever question was asked (or at
its start), and asks only for the rest. Only explicit words count here ("没保价", "保价2000", "赔500"): the loose
yes/no answers ("有", "是") are read only when the insurance question itself was asked (actions/claims.py).
"""

from __future__ import annotations

import re

from actions.ticket_text import without_prefix
from bot.vocabulary.numerals import parse_yuan_to_fen

_AMOUNT = r"((?:\d+(?:\.\d+)?|[零一二两三四五六七八九十百千万]+)\s*(?:万|千|k|K|百)?\s*(?:元|块|rmb|RMB)?)"
_DECLARED = re.compile(rf"保价(?:了|金额|价值)?\s*(?:是|为)?\s*{_AMOUNT}")
_CLAIMED = re.compile(rf"(?:索赔|赔偿|赔我|要求赔|赔|损失|价值|值)(?:了|金额|大约|大概|约)?\s*(?:是|为)?\s*{_AMOUNT}")
_NOT_INSURED = re.compile(r"没有?保价|未保价|不保价|没买保价|没有?买保价|没保")
_INSURED = re.compile(r"保价了|有保价|保了价|买了保价|保价\s*(?:了|金额|价值)?\s*(?:是|为)?\s*\d")
# "我要理赔，…": what comes after the request itself is the customer's account of what happened.
TRIGGER_PREFIX = re.compile(r"^(我)?(要|想|需要)?(申请)?(理赔|索赔|赔偿)(一下)?[，,。！!：:\s]*")
MIN_ACCOUNT = 8
# Tracking numbers, phones and punctuation: not words of an account.
_NUMBERS = re.compile(r"[A-Za-z]{0,4}\d[\d\s-]{6,}\d|[\W_]")


def _fen(fragment: str) -> int | None:
    fen = parse_yuan_to_fen(fragment)
    return fen if fen and fen > 0 else None


def declared_value_fen(text: str) -> int | None:
    """"保价2000元" → 200000."""
    match = _DECLARED.search(text)
    return _fen(match.group(1)) if match else None


def claimed_amount_fen(text: str) -> int | None:
    """"花瓶值500元" / "要求赔三千五" → the amount claimed; the declared value ("保价2000") is not it."""
    match = _CLAIMED.search(_DECLARED.sub("，", text))
    return _fen(match.group(1)) if match else None


def insured_in(text: str) -> bool | None:
    """True / False when the message says so in so many words, None when it does not."""
    if _NOT_INSURED.search(text):
        return False
    if _INSURED.search(text):
        return True
    return None


def is_account(text: str) -> bool:
    """Enough words to tell what happened: a tracking number and a word or two ("ZT100000000007 破了") are not."""
    return len(_NUMBERS.sub("", text)) >= MIN_ACCOUNT


def account_in_request(text: str) -> str | None:
    """The account of what happened that came with the request itself ("申请理赔，箱子摔坏了…"); a tracking number
    and a word or two ("ZT100000000007 破了") are no account: the description is asked for."""
    rest = without_prefix(TRIGGER_PREFIX, text)
    return rest if is_account(rest) and rest != text.strip() else None
