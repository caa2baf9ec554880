"""Which form each customer request starts, and when a message inside another form asks for a new task.

Shared by the action server (a form lets go of a message that asks for another task) and the dialogue policy
that then leaves the form for the new request (bot/policies/task_switch.py).
"""

from __future__ import annotations

# The form each request opens (data/rules): the request for the form already open is an answer, not a switch.
TASK_FORMS: dict[str, str] = {
    "track_parcel": "tracking_form",
    "request_quote": "quote_form",
    "schedule_pickup": "pickup_form",
    "file_complaint": "complaint_form",
    "complaint_status": "complaint_status_form",
    "file_claim": "claim_form",
    "claim_status": "claim_status_form",
}
# The satisfaction survey is left for a new request by its own rules (data/rules/satisfaction.yml).
SWITCHING_FORMS = frozenset(TASK_FORMS.values())
# Below this confidence a request is more likely an odd answer than a change of mind.
SWITCH_SURE = 0.5
# Answers that may read like a new request and must never be lost: what happened, in a complaint's or a
# claim's own words ("快递五天没到，ZT…" reads like tracking), and yes or no to a summary.
NEVER_SWITCH_SLOTS = frozenset({
    "complaint_description", "claim_description", "pickup_confirmed", "complaint_confirmed", "claim_confirmed",
})


def asks_for_another_task(intent: str | None, confidence: float | None, form: str | None,
                          asked_slot: str | None) -> bool:
    """True when a message read as `intent` asks for a task other than the open `form`'s."""
    target = TASK_FORMS.get(intent or "")
    return bool(
        target
        and form in SWITCHING_FORMS
        and target != form
        and (confidence or 0.0) >= SWITCH_SURE
        and asked_slot not in NEVER_SWITCH_SLOTS
    )
