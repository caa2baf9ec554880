"""Build trackers the way Rasa sends them to the action server, and run actions on them."""

from __future__ import annotations

import asyncio
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from tests.support import ROOT

DOMAIN: dict[str, Any] = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


def user(text: str, intent: str = "inform", entities: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"event": "user", "text": text,
            "parse_data": {"text": text, "intent": {"name": intent, "confidence": 1.0},
                           "entities": entities or []}}


def entity(name: str, value: str, text: str, role: str | None = None) -> dict[str, Any]:
    start = text.find(value) if value in text else 0
    found: dict[str, Any] = {"entity": name, "value": value, "start": start, "end": start + len(value)}
    if role:
        found["role"] = role
    return found


def make_tracker(
    slots: dict[str, Any] | None = None,
    latest: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    active_loop: str | None = None,
    sender: str = "test-user",
    after: dict[str, Any] | None = None,
) -> Tracker:
    """`slots` are set before the latest message, `after` by it (what action_extract_slots filled)."""
    slots = dict(slots or {})
    history = list(events or [])
    for name, value in slots.items():
        history.append({"event": "slot", "name": name, "value": value})
    if latest:
        history.append(latest)
    for name, value in (after or {}).items():
        history.append({"event": "slot", "name": name, "value": value})
        slots[name] = value
    latest_message = (latest or {}).get("parse_data") or {}
    return Tracker(
        sender_id=sender,
        slots=slots,
        latest_message={**latest_message, "text": (latest or {}).get("text")},
        events=history,
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def run(action: Action, tracker: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(messages the customer sees, events returned)."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, DOMAIN))
    return dispatcher.messages, events


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("text") or m.get("response") or "" for m in messages)


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
