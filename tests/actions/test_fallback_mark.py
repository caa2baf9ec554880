"""A message the assistant did not understand marks its conversation for the KPI page's fallback rate, once per
message; a backend that is down costs the customer nothing."""

from __future__ import annotations

import uuid

from actions.handoff import ActionHandoffNotUnderstood
from tests.actions.action_helpers import make_tracker, run, user


def _not_understood(sender: str, message_id: str):  # type: ignore[no-untyped-def]
    latest = {**user("阿巴阿巴", "nlu_fallback"), "message_id": message_id, "timestamp": 1.0}
    return make_tracker(latest=latest, sender=sender)


def _fallbacks(api) -> int:  # type: ignore[no-untyped-def]
    report = api("GET", "/api/v1/reports/kpi", params={"days": 1})
    assert report.status_code == 200, report.text
    return report.json()["counts"]["fallback"]


def test_the_conversation_is_marked_once_per_message(client, api) -> None:
    before = _fallbacks(api)
    sender = f"fb-{uuid.uuid4().hex[:8]}"
    messages, events = run(ActionHandoffNotUnderstood(), _not_understood(sender, "m1"))
    assert [m.get("response") for m in messages] == ["utter_default"]
    assert events == []
    run(ActionHandoffNotUnderstood(), _not_understood(sender, "m1"))  # Rasa retrying the same turn
    assert _fallbacks(api) == before + 1
    report = api("GET", "/api/v1/reports/kpi", params={"days": 1}).json()
    assert report["fallback_rate"] == round(report["counts"]["fallback"] / report["counts"]["conversations"], 4)


def test_a_backend_that_is_down_does_not_cost_the_answer(dead_client) -> None:
    messages, _ = run(ActionHandoffNotUnderstood(), _not_understood("fb-down", "m1"))
    assert [m.get("response") for m in messages] == ["utter_default"]
