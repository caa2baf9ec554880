"""The Rasa server skips the every-turn action only when that action would do nothing (bot/every_turn_gate.py)."""

from __future__ import annotations

import asyncio

import pytest
from rasa.core.actions.action import ActionExtractSlots
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk.executor import CollectingDispatcher

from actions.every_turn import ActionValidateSlotMappings
from bot import rasa_server
from bot.every_turn_gate import PENDING_SLOTS, PHOTO_METADATA_KEY, VALIDATED_SLOTS, has_every_turn_work
from tests.actions.action_helpers import DOMAIN, entity, make_tracker, user

TEXT = "查件 ZT100000000001"


def test_every_validate_method_of_the_action_is_a_gate_trigger():
    validated = {name[len("validate_"):] for name in dir(ActionValidateSlotMappings) if name.startswith("validate_")}
    assert validated == set(VALIDATED_SLOTS)


def test_the_gate_names_real_slots():
    assert set(VALIDATED_SLOTS) | set(PENDING_SLOTS) <= set(DOMAIN["slots"])


def _run_action(tracker) -> tuple[list, list]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionValidateSlotMappings().run(dispatcher, tracker, DOMAIN))
    return events, dispatcher.messages


def test_when_the_gate_says_no_work_the_action_indeed_does_nothing():
    # a tracking number extracted, a finished claim in the slots, but no phone, nothing pending, no photo
    latest = user(TEXT, "track_parcel", [entity("tracking_number", "ZT100000000001", TEXT)])
    slots = {"last_claim_number": "LP20261123000001", "customer_checked_phone": "13800000000"}
    tracker = make_tracker(slots=slots, latest=latest, after={"tracking_number": "ZT100000000001"})
    assert not has_every_turn_work(["tracking_number"], tracker.slots, {})
    events, messages = _run_action(tracker)
    # the SDK echoes the extracted slot unchanged, which is what Rasa keeps when the call is skipped
    assert [(e["event"], e["name"], e["value"]) for e in events] in (
        [], [("slot", "tracking_number", "ZT100000000001")])
    assert messages == []


@pytest.mark.parametrize("extracted, slots, metadata", [
    (["phone"], {}, {}),
    ([], {"complaint_pending": {"payload": {"x": 1}, "key": "k"}}, {}),
    ([], {"claim_pending": {"payload": {"x": 1}, "key": "k"}}, {}),
    ([], {"rating_pending": {"payload": {"score": 5}, "key": "k"}}, {}),
    ([], {}, {PHOTO_METADATA_KEY: "http://127.0.0.1/x.png"}),
])
def test_each_kind_of_work_opens_the_gate(extracted, slots, metadata):
    assert has_every_turn_work(extracted, slots, metadata)


class _Recorder:
    def __init__(self):
        self.calls = 0

    async def __call__(self, action, extraction_events, *rest):
        self.calls += 1
        return [SlotSet("phone", "13800000000")]


def _rasa_tracker(metadata=None, **slots) -> DialogueStateTracker:
    domain = Domain.load("domain.yml")
    tracker = DialogueStateTracker.from_events("gate", [UserUttered(TEXT, metadata=metadata)], slots=domain.slots)
    for name, value in slots.items():
        tracker.update(SlotSet(name, value))
    return tracker


def _extract(monkeypatch, events, tracker):
    recorder = _Recorder()
    monkeypatch.setattr(rasa_server, "_rasa_execute_validation_action", recorder)
    result = asyncio.run(rasa_server.execute_validation_action_if_needed(
        ActionExtractSlots(None), events, None, None, tracker, None))
    return result, recorder.calls


def test_rasa_skips_the_call_and_keeps_the_extracted_slots(monkeypatch):
    extracted = [SlotSet("tracking_number", "ZT100000000001")]
    assert _extract(monkeypatch, extracted, _rasa_tracker()) == (extracted, 0)


def test_rasa_calls_the_action_for_a_phone_a_pending_ticket_or_a_photo(monkeypatch):
    assert _extract(monkeypatch, [SlotSet("phone", "13800000000")], _rasa_tracker())[1] == 1
    pending = _rasa_tracker(complaint_pending={"payload": {"a": 1}, "key": "k"})
    assert _extract(monkeypatch, [], pending)[1] == 1
    photo = _rasa_tracker(metadata={PHOTO_METADATA_KEY: "http://127.0.0.1/p.png"})
    assert _extract(monkeypatch, [], photo)[1] == 1


def test_the_rasa_server_installs_the_gate():
    rasa_server.install()
    assert ActionExtractSlots._execute_validation_action is rasa_server.execute_validation_action_if_needed
