"""When a message inside one form asks for another task (bot/vocabulary/tasks.py)."""

from __future__ import annotations

import pytest

from bot.vocabulary.tasks import NEVER_SWITCH_SLOTS, SWITCHING_FORMS, TASK_FORMS, asks_for_another_task


@pytest.mark.parametrize(("intent", "form", "slot"), [
    ("request_quote", "complaint_status_form", "complaint_lookup"),
    ("track_parcel", "complaint_form", "complaint_category"),
    ("file_complaint", "tracking_form", "tracking_number"),
    ("schedule_pickup", "quote_form", "weight"),
    ("complaint_status", "claim_status_form", "claim_lookup"),
])
def test_a_request_for_another_task_switches(intent: str, form: str, slot: str) -> None:
    assert asks_for_another_task(intent, 0.9, form, slot)


@pytest.mark.parametrize(("intent", "confidence", "form", "slot"), [
    ("track_parcel", 0.9, "tracking_form", "tracking_number"),  # the open form's own request: an answer
    ("inform", 0.9, "complaint_status_form", "complaint_lookup"),
    ("faq", 0.9, "quote_form", "weight"),  # answered by the FAQ rules, the form goes on
    ("request_quote", 0.4, "complaint_status_form", "complaint_lookup"),  # unsure: more likely an odd answer
    ("track_parcel", 0.9, "complaint_form", "complaint_description"),  # "五天没到" is the complaint's story
    ("request_quote", 0.9, "pickup_form", "pickup_confirmed"),
    ("request_quote", 0.9, "rating_form", "rating_score"),  # the survey has its own rules
    ("request_quote", 0.9, None, None),
    (None, None, "quote_form", "weight"),
])
def test_anything_else_does_not(intent, confidence, form, slot) -> None:
    assert not asks_for_another_task(intent, confidence, form, slot)


def test_every_form_named_is_in_the_domain() -> None:
    import yaml

    from tests.support import ROOT
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert SWITCHING_FORMS <= set(domain["forms"])
    intents = {next(iter(i)) if isinstance(i, dict) else i for i in domain["intents"]}
    assert set(TASK_FORMS) <= intents
    required = {slot for form in domain["forms"].values() for slot in form["required_slots"]}
    assert NEVER_SWITCH_SLOTS <= required
