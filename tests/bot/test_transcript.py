"""One transcript builder for the handoff action and the console (bot/transcript.py)."""

from __future__ import annotations

import subprocess
import sys

from actions.handoff import TRANSCRIPT_LIMIT, transcript
from bot.console.rasa_transcript import lines_from_events
from bot.transcript import MAX_LINE_CHARS, transcript_lines
from tests.actions.action_helpers import make_tracker, user
from tests.support import ROOT

EVENTS = [
    {"event": "action", "name": "action_listen", "timestamp": 1.0},
    {"event": "user", "text": "ZT100000000001 到哪了", "timestamp": 10.0},
    {"event": "bot", "text": "您的快件在济南。", "timestamp": 11.0},
    {"event": "user", "text": "/affirm", "timestamp": 12.0},
    {"event": "bot", "text": None, "timestamp": 13.0},
    {"event": "user", "text": "很" * (MAX_LINE_CHARS + 10), "timestamp": 14.0},
]


def test_only_what_the_customer_wrote_and_the_assistant_said() -> None:
    lines = transcript_lines(EVENTS, limit=10)
    assert [(line["role"], line["at"]) for line in lines] == [("user", 10.0), ("bot", 11.0), ("user", 14.0)]
    assert len(lines[-1]["text"]) == MAX_LINE_CHARS
    assert [line["text"] for line in transcript_lines(EVENTS, limit=1)] == ["很" * MAX_LINE_CHARS]


def test_the_action_and_the_console_build_the_same_lines() -> None:
    tracker = make_tracker(events=EVENTS, latest=user("转人工", "request_human"))
    carried = transcript(tracker)
    assert carried == lines_from_events(tracker.events)[-TRANSCRIPT_LIMIT:]
    assert carried[-1]["text"] == "转人工" and len(carried) == 4


def test_the_action_server_can_import_it_without_the_backend_or_rasa() -> None:
    check = ("import sys, bot.transcript; "
             "print(sorted(m for m in ('rasa', 'sqlalchemy', 'fastapi') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
