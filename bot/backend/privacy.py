"""Phone masking for the backend's responses and logs: the shared rules of bot/pii.py under the backend's names."""

from __future__ import annotations

from bot.pii import PiiMaskFilter, mask_text
from bot.vocabulary.phones import mask_phone

# The backend's logging config and older imports name the filter by what it first masked.
PhoneMaskFilter = PiiMaskFilter

__all__ = ["PhoneMaskFilter", "PiiMaskFilter", "mask_phone", "mask_text"]
