"""Complaint (CP) and claim (CL) ticket numbers: what they look like, and how a new one is drawn.

A ticket number is all a customer needs to ask about a ticket, so it must not be guessable. New numbers are the
prefix + 12 digits: a first digit 3–9, 10 random digits and a Luhn check digit (7 × 10^10 possible numbers),
read out on the phone as three groups of four, e.g. CP 5839 2017 4465. The check digit catches a mistyped digit
or two swapped neighbours before the look-up is spent on it.

Older tickets (seeded demo data, rows from before) keep their prefix + yyyymmdd + sequence numbers, e.g.
CP20261123001; they always start with 2, so they never look like a new number, and they still resolve.
Shared by the backend (validation, generation), the actions (numbers in free text) and the NLU entity rules.
"""

from __future__ import annotations

import re
import secrets

COMPLAINT, CLAIM = PREFIXES = ("CP", "CL")
# The body of a ticket number after the prefix: the old dated form, or the new random one.
OLD_BODY = r"2\d{10,11}"
NEW_BODY = r"[3-9]\d{11}"
BODY = rf"(?:{NEW_BODY}|{OLD_BODY})"
# What the NLU's entity rules mark as a ticket number: the prefix and any 11–12 digits. Wider than BODY so that
# a mistyped number is still heard as one; the flows then accept only BODY (`in_text`).
LOOSE_BODY = r"\d{11,12}"
_NUMBER_RE = re.compile(rf"(CP|CL)({BODY})")


def in_text(prefix: str, body: str = BODY) -> re.Pattern[str]:
    """A number of this kind inside free text, either case, not glued to letters before or digits after it.

    The number is group 1 (and the whole match)."""
    return re.compile(rf"(?<![A-Za-z0-9])({prefix}{body})(?!\d)", re.I)


def check_digit(digits: str) -> str:
    """Luhn check digit for `digits` (the number without its last digit)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:  # doubled: these sit at odd positions once the check digit is appended
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return str(-total % 10)


def is_new_body(body: str) -> bool:
    return bool(re.fullmatch(NEW_BODY, body))


def checks_out(body: str) -> bool:
    """A new-form body whose check digit is right; old dated bodies carry none and always pass."""
    return not is_new_body(body) or check_digit(body[:-1]) == body[-1]


def new_number(prefix: str) -> str:
    """A fresh random number (the caller makes sure it is not taken)."""
    body = str(secrets.choice(range(3, 10))) + "".join(str(secrets.randbelow(10)) for _ in range(10))
    return f"{prefix}{body}{check_digit(body)}"


def parse(prefix: str, raw: str) -> str | None:
    """`raw` as a well-formed ticket number of this kind (upper case, check digit right), else None."""
    text = (raw or "")[:32].strip().upper()
    found = _NUMBER_RE.fullmatch(text)
    if not found or found.group(1) != prefix or not checks_out(found.group(2)):
        return None
    return text
