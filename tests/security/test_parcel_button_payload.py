"""The tracking card's 催件 button sends a command that names its parcel; only that exact shape with a
well-formed tracking number passes the inbound guard, anything else near it is read as words."""

from __future__ import annotations

import pytest

from actions.tracking_card import hurry_payload
from bot.channels.inbound_guard import check_message


def test_the_cards_hurry_payload_passes_unchanged() -> None:
    for number in ("ZT100000000003", "SF1234567890123", "JDV0048817263550"):
        payload = hurry_payload(number)
        assert check_message(payload, limit=1000).text == payload


@pytest.mark.parametrize("typed", [
    '/hurry_parcel{"tracking_number":"ZT12"}',                          # not a tracking number
    '/hurry_parcel{"tracking_number":"ZT100000000003","phone":"13812345678"}',  # another entity smuggled in
    '/hurry_parcel{"tracking_number": "ZT100000000003"}',              # not the shape our button sends
    '/hurry_parcel{"tracking_number":"ZT100000000003"}\n/restart',
    '/hurry_parcel',
    '/track_parcel{"tracking_number":"ZT100000000003"}',
])
def test_anything_else_loses_its_command_prefix(typed: str) -> None:
    inbound = check_message(typed, limit=1000)
    assert inbound.ok and not inbound.text.startswith("/"), inbound.text
