"""The agent sees a parcel's open 催件 follow-up beside it: the outlet and by when it owes the customer an answer."""

from __future__ import annotations

from tests.bot.console.conftest import login


def test_the_parcel_panel_shows_the_open_follow_up(desk_backend) -> None:
    base = desk_backend.base_url
    agent = login(desk_backend, "li")
    before = agent.get(f"{base}/console/api/parcels/ZT100000000005", timeout=15).json()
    assert before["status"] == "exception" and "follow_up" in before
    recorded = desk_backend.post("/parcels/ZT100000000005/follow-ups", json={"channel": "hotline"})
    assert recorded.status_code in (200, 201), recorded.text
    shown = agent.get(f"{base}/console/api/parcels/zt100000000005", timeout=15).json()["follow_up"]
    assert shown == recorded.json()["follow_up"] and shown["outlet"] == "西安营业部"
    on_time = agent.get(f"{base}/console/api/parcels/ZT100000000001", timeout=15).json()
    assert on_time["follow_up"] is None
