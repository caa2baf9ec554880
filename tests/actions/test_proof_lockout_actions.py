"""A lockout of an identity proof, as the customer sees it (issue 13, finding 3).

Against the real backend with its default limit (VERIFICATION_MAX_FAILURES=5 wrong answers per parcel or per
phone, across every chat): each "chat" here is a fresh tracker with its own sender id, as an attacker gets by
changing sender id. Parcel ZT100000000008 and the phones below are used by no other action test.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import ticket_lookup
from actions.complaints import COMPLAINT_LOOKUP
from actions.tracking import ActionVerifyParcel
from bot.backend.seed import DEMO_PARCELS
from bot.clients.backend import BackendClient
from bot.vocabulary.script import to_traditional
from tests.actions.action_helpers import make_tracker, run, slot_events, texts, user

pytestmark = pytest.mark.security

PARCEL = next(p for p in DEMO_PARCELS if p.number == "ZT100000000008")
LOCKED = "为了您的信息安全，该单号的验证已暂时锁定，请 30 分钟后再试"


def verify_in_new_chat(digits: str, failures: dict | None = None, sender: str | None = None) -> tuple[str, dict]:
    slots = {"tracking_number": PARCEL.number, "awaiting_verification": True,
             "verification_failures": failures or {}}
    tracker = make_tracker(slots=slots, latest=user(digits), sender=sender or f"guess-{uuid.uuid4().hex[:8]}")
    messages, events = run(ActionVerifyParcel(), tracker)
    return texts(messages), slot_events(events)


def test_guesses_spread_over_chats_end_in_a_polite_lockout_that_also_refuses_the_right_digits(
        client: BackendClient, api) -> None:
    failures: dict = {}
    shown = []
    for wrong in ("0000", "0001", "0002"):  # the first chat: its own limit of 3
        text, slots = verify_in_new_chat(wrong, failures, sender="guesser-1")
        failures = slots["verification_failures"]
        shown.append(text)
    assert "再试 2 次" in shown[0] and "再试 1 次" in shown[1] and "上限" in shown[2]
    # A second chat: the backend has counted 3 of its 5, so it says one try is left, not the chat's three.
    text, _ = verify_in_new_chat("0003")
    assert "再试 1 次" in text
    text, slots = verify_in_new_chat("0004")
    assert LOCKED in text and "转人工" in text and slots["awaiting_verification"] is False
    assert "抱歉" in text and "您" in text  # apologises, blames nobody
    # A third chat with the right digits: the same lockout, no address, no name.
    text, slots = verify_in_new_chat(PARCEL.sender_phone[-4:])
    assert LOCKED in text and "完整信息" not in text and "收件人" not in text
    assert slots == {"awaiting_verification": False}
    # A Traditional writer sees the channel's conversion of the same sentence.
    traditional = to_traditional(text)
    assert "鎖定" in traditional and "分鐘" in traditional
    lifted = api("DELETE", f"/api/v1/parcels/{PARCEL.number}/verification-lock")
    assert lifted.status_code == 200
    text, _ = verify_in_new_chat(PARCEL.sender_phone[-4:])
    assert "完整信息" in text


def _by_proof(phone: str, last4: str) -> tuple[str, dict]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(latest=user(last4), sender=f"lookup-{uuid.uuid4().hex[:8]}")
    result = asyncio.run(ticket_lookup.by_proof(dispatcher, tracker, COMPLAINT_LOOKUP, phone, last4))
    return texts(dispatcher.messages), result


def test_ticket_proofs_by_phone_over_many_chats_end_in_a_polite_lockout(client: BackendClient, api) -> None:
    phone = f"137{uuid.uuid4().int % 10**8:08d}"
    created = api("POST", "/api/v1/complaints", json={"category": "delay", "description": "一直没送到",
                                                       "contact_phone": phone, "tracking_number": "ZT100000000008"})
    assert created.status_code == 201, created.text
    for wrong in ("0001", "0002", "0003", "0004"):
        text, result = _by_proof(phone, wrong)
        assert "没有对上" in text and result == {"complaint_lookup": None}
    text, result = _by_proof(phone, "0005")  # the fifth wrong answer, from a fifth chat
    assert "这个手机号的查询核对已暂时锁定" in text and "30 分钟后再试" in text
    assert result == {"complaint_lookup": ticket_lookup.ANSWERED}
    text, result = _by_proof(phone, "0008")  # the right ending now gets the same answer
    assert "暂时锁定" in text and "CP" not in text and result == {"complaint_lookup": ticket_lookup.ANSWERED}
