"""The logging filter masks phones in messages, arguments and tracebacks, and leaves tracking numbers alone."""

from __future__ import annotations

import logging

from bot.backend.privacy import PhoneMaskFilter, mask_phone, mask_text


def test_mask_helpers():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_text("call 13812345678 or +86 139-0000-1111 or 138 1234 5678") == "call 138****5678 or 139****1111 or 138****5678"
    assert mask_text("单号 ZT100000000001 和 SF1234567890123") == "单号 ZT100000000001 和 SF1234567890123"
    assert mask_text("座机 021-62345678") == "座机 021-****5678"


def test_filter_masks_record_parts():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "phone %s path %s", ("13812345678", "/by-phone/13900001111"),
                               None)
    PhoneMaskFilter().filter(record)
    assert record.getMessage() == "phone 138****5678 path /by-phone/139****1111"
    try:
        raise ValueError("duplicate contact_phone 13712345678")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", None, sys.exc_info())
    PhoneMaskFilter().filter(record)
    assert "137****5678" in record.exc_text and "13712345678" not in record.exc_text
