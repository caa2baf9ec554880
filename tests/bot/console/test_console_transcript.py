"""What the console adds to a handoff's transcript on accept, from the assistant's tracker events."""

from __future__ import annotations

from datetime import datetime

from bot.console.models import Handoff, HandoffMessage
from bot.console.rasa_transcript import already_in_transcript, lines_from_events, refreshed

EVENTS = [
    {"event": "action", "name": "action_listen", "timestamp": 1.0},
    {"event": "user", "text": "ZT100000000001 到哪了", "timestamp": 10.0},
    {"event": "bot", "text": "您的快件在济南。", "timestamp": 11.0},
    {"event": "user", "text": "转人工", "timestamp": 20.0},
    {"event": "bot", "text": "已为您接入在线客服队列，您排在第 1 位。", "timestamp": 21.0},
    {"event": "user", "text": '/choose{"level":"express"}', "timestamp": 25.0},
    {"event": "user", "text": "还要等多久", "timestamp": 30.0},
    {"event": "bot", "text": "客服马上就来，请稍等。", "timestamp": 31.0},
    {"event": "bot", "text": None, "timestamp": 32.0},
]
# What the handoff action sent: the conversation up to the request for a person.
CARRIED = lines_from_events(EVENTS[:4])


def handoff() -> Handoff:
    return Handoff(id=7, created_at=datetime(2026, 11, 23, 8, 0, 0))


def test_tracker_events_become_customer_and_assistant_lines_without_payloads() -> None:
    lines = lines_from_events(EVENTS)
    assert [(line["role"], line["text"]) for line in lines] == [
        ("user", "ZT100000000001 到哪了"), ("bot", "您的快件在济南。"), ("user", "转人工"),
        ("bot", "已为您接入在线客服队列，您排在第 1 位。"), ("user", "还要等多久"), ("bot", "客服马上就来，请稍等。")]
    assert lines_from_events(EVENTS, limit=2)[0]["text"] == "还要等多久"


def test_lines_after_the_carried_transcript_are_marked_as_the_wait() -> None:
    merged = refreshed(CARRIED, lines_from_events(EVENTS), handoff())
    assert merged[:3] == CARRIED
    assert [(line["text"], line.get("during_wait")) for line in merged[3:]] == [
        ("已为您接入在线客服队列，您排在第 1 位。", True), ("还要等多久", True), ("客服马上就来，请稍等。", True)]


def test_a_tracker_that_lost_its_history_keeps_the_carried_transcript() -> None:
    assert refreshed(CARRIED, [], handoff()) == CARRIED


def test_waiting_messages_the_transcript_shows_are_not_shown_again_and_others_are() -> None:
    merged = refreshed(CARRIED, lines_from_events(EVENTS), handoff())
    waited = [HandoffMessage(id=1, author="customer", text="还要等多久"),
              HandoffMessage(id=2, author="customer", text="还要等多久"),  # sent twice, in the tracker once
              HandoffMessage(id=3, author="customer", text="还没处理完的一句")]
    assert already_in_transcript(merged, waited) == {1}
