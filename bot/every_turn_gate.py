"""Whether the every-turn action (`action_validate_slot_mappings`, actions/every_turn.py) has anything to do.

Rasa 3.6 calls that action after every customer message, and once more whenever a form starts, even when no
slot it validates was extracted. Each call is a round trip to the action server carrying the whole tracker,
paid on every turn by every customer. The action only ever acts on what is listed here, so the Rasa server
(bot/rasa_server.py) skips the call when none of it is present: the outcome is the same, minus the trip.
Adding work to the every-turn action means adding its trigger here; tests/bot/test_every_turn_gate.py
checks both sides agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# Slots with a `validate_<slot>` method on the every-turn action (key-customer recognition by phone).
VALIDATED_SLOTS = frozenset({"phone"})
# A confirmed ticket or rating the backend could not take yet; retried on the customer's next message.
PENDING_SLOTS = ("complaint_pending", "claim_pending", "rating_pending")
# A photo sent outside the claim form is attached to the conversation's latest claim.
PHOTO_METADATA_KEY = "image_url"


def has_every_turn_work(
    extracted_slots: Iterable[str], slots: Mapping[str, Any], message_metadata: Mapping[str, Any] | None
) -> bool:
    """True if the every-turn action could change anything on this turn.

    `extracted_slots` are the slots set from the latest message, `slots` the conversation's current values.
    """
    if VALIDATED_SLOTS.intersection(extracted_slots):
        return True
    if any(slots.get(name) for name in PENDING_SLOTS):
        return True
    return bool((message_metadata or {}).get(PHOTO_METADATA_KEY))
