"""Which characters and numbers a request may carry at all, checked in one place for every request body.

Lone UTF-16 surrogates (JSON "\\ud800") cannot be encoded, so SQLite and the JSON response refuse them;
PostgreSQL refuses NUL in text; other control characters have no place in a name, an address or a note and
can forge log lines; a number beyond 64 bits overflows every integer column; NaN and infinities cannot be
written back as JSON. Each of these is turned away as a 422 naming the field, before any service runs.
"""

from __future__ import annotations

import math
import re
from typing import Any

from pydantic import BaseModel, PydanticValueError, validator
from pydantic.fields import ModelField

# C0 controls except tab, newline and carriage return; DEL and the C1 controls; lone surrogates (a valid pair
# is already one character once the JSON is decoded).
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
MAX_DEPTH = 16
INT_MIN, INT_MAX = -(2**63), 2**63 - 1


class UnsafeCharactersError(PydanticValueError):
    code = "unsafe_characters"
    msg_template = "contains control characters or broken Unicode (lone surrogates)"


class NumberOutOfRangeError(PydanticValueError):
    code = "number_out_of_range"
    msg_template = "number is not finite or does not fit in 64 bits"


class TooDeepError(PydanticValueError):
    code = "too_deep"
    msg_template = f"nested more than {MAX_DEPTH} levels deep"


def has_unsafe_characters(text: str) -> bool:
    return _UNSAFE.search(text) is not None


def scrub(text: str) -> str:
    """The text without the characters that are refused elsewhere (for copies of what a customer typed)."""
    return _UNSAFE.sub("", text)


def check_value(value: Any, depth: int = 0) -> None:
    """Raises one of the errors above for anything in `value` (walked through lists and dicts) we refuse."""
    if isinstance(value, str):
        if has_unsafe_characters(value):
            raise UnsafeCharactersError()
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if not INT_MIN <= value <= INT_MAX:
            raise NumberOutOfRangeError()
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise NumberOutOfRangeError()
    elif isinstance(value, list | tuple | dict):
        if depth >= MAX_DEPTH:
            raise TooDeepError()
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            check_value(key, depth + 1)
            check_value(item, depth + 1)


def scrub_value(value: Any, depth: int = 0) -> Any:
    """`value` with refused characters dropped from every string in it; numbers and depth still checked."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict) and depth < MAX_DEPTH:
        return {scrub_value(key, depth + 1): scrub_value(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list | tuple) and depth < MAX_DEPTH:
        return [scrub_value(item, depth + 1) for item in value]
    check_value(value, depth)
    return value


class CleanInput(BaseModel):
    """Base of every request body. Fields named in `Config.scrubbed_fields` are copies of what a customer
    typed in the chat (a transcript, slots): there the refused characters are dropped instead, so one stray
    character cannot stop a handoff."""

    class Config:
        scrubbed_fields: frozenset[str] = frozenset()

    @validator("*", pre=True, allow_reuse=True)
    def _clean(cls, value: Any, field: ModelField) -> Any:  # noqa: N805 - pydantic validators take the class
        if field.name in getattr(cls.__config__, "scrubbed_fields", ()):
            return scrub_value(value)
        check_value(value)
        return value
