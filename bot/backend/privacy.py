"""Phone masking for responses and logs (138****5678)."""

from __future__ import annotations

import logging
import re

_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?(1[3-9][0-9])[- ]?[0-9]{4}[- ]?([0-9]{4})(?![0-9])")
_LANDLINE = re.compile(r"(?<![0-9])(0[0-9]{2,3}-?)[0-9]{3,4}([0-9]{4})(?![0-9])")


def mask_phone(phone: str | None) -> str | None:
    if not phone:
        return phone
    digits = re.sub(r"[^0-9]", "", phone)
    if len(digits) >= 7:
        return f"{digits[:3]}****{digits[-4:]}"
    return "****"


def mask_text(text: str) -> str:
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
    return _LANDLINE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)


class PhoneMaskFilter(logging.Filter):
    """Masks phones in a record's message and arguments, so no full number reaches a console or log file.

    Arguments are masked one by one (not merged into the message) because uvicorn's access formatter
    unpacks them itself.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_text(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_mask_arg(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _mask_arg(value) for key, value in record.args.items()}
        if record.exc_info and not record.exc_text:
            # Tracebacks can quote SQL parameters; the formatter reuses exc_text when it is already set.
            record.exc_text = mask_text(logging.Formatter().formatException(record.exc_info))
        return True


def _mask_arg(value: object) -> object:
    return mask_text(value) if isinstance(value, str) else value
