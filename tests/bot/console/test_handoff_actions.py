"""The handoff actions against the real backend over HTTP: what the customer is told and what the agent gets."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator

import pytest

from actions.handoff import (
    ActionDeclineCallback,
    ActionHandoffAngry,
    ActionHandoffNotUnderstood,
    ActionRegisterCallback,
    ActionRequestHuman,
    record_handoff,
)
from bot.clients.backend import BackendClient, set_client
from tests.actions.action_helpers import make_tracker, run, slot_events, texts, user
from tests.bot.console.conftest import API_KEY, login


def conv(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def on_duty(desk_backend) -> Iterator:
    set_client(BackendClient(base_url=desk_backend.base_url, api_key=API_KEY))
    yield desk_backend
    set_client(None)


@pytest.fixture
def off_duty(closed_backend) -> Iterator:
    set_client(BackendClient(base_url=closed_backend.base_url, api_key=API_KEY))
    yield closed_backend
    set_client(None)


def history() -> list[dict]:
    return [
        {"event": "user", "text": "ZT100000000001 到哪了", "timestamp": 1763870000.0, "input_channel": "socketio",
         "parse_data": {"intent": {"name": "track_parcel", "confidence": 0.98}, "entities": []}},
        {"event": "bot", "text": "您的快件正在运输中，当前在济南。", "timestamp": 1763870001.0},
    ]


def handoff_for(backend, conversation: str) -> dict:
    state = backend.get(f"/handoffs/by-conversation/{conversation}").json()
    agent = login(backend, {"general": "li", "complaints": "qian", "claims": "sun", "vip": "vipdesk"}[state["team"]])
    return agent.get(f"{backend.base_url}/console/api/handoffs/{state['handoff_id']}", timeout=15).json()


def test_a_request_for_a_person_queues_the_conversation_with_its_context(on_duty) -> None:
    conversation = conv("act")
    tracker = make_tracker(slots={"tracking_number": "ZT100000000001", "phone": "13511112222"},
                           latest=user("转人工", "request_human"), events=history(), sender=conversation)
    shown = texts(run(ActionRequestHuman(), tracker)[0])
    assert "在线客服队列" in shown and "分钟" in shown and "继续向我咨询" in shown
    detail = handoff_for(on_duty, conversation)
    assert detail["reason"] == "asked_for_human" and detail["intent"] == "track_parcel"
    assert [line["text"] for line in detail["transcript"]] == ["ZT100000000001 到哪了", "您的快件正在运输中，当前在济南。", "转人工"]
    assert detail["slots"] == {"tracking_number": "ZT100000000001", "phone": "135****2222"}
    # Asking again while waiting gives the place in the queue, not a second ticket.
    again = texts(run(ActionRequestHuman(), tracker)[0])
    assert "您已经在在线客服队列中了" in again and "这就为您转接" not in again, again
    assert handoff_for(on_duty, conversation)["id"] == detail["id"]


def test_an_angry_customer_goes_to_the_complaints_team(on_duty) -> None:
    conversation = conv("angry")
    tracker = make_tracker(latest=user("你们太垃圾了😡 转人工", "request_human"), sender=conversation)
    shown = texts(run(ActionRequestHuman(), tracker)[0])
    assert "非常抱歉" in shown and "投诉处理" in shown
    assert handoff_for(on_duty, conversation)["reason"] == "angry_customer"


MOOD_ANGRY = {"entity": "mood", "value": "angry", "start": 3, "end": 18, "extractor": "AngerDetector"}


def test_an_angry_message_goes_to_the_complaints_team_with_its_context(on_duty) -> None:
    conversation = conv("mood")
    angry = user("你们这破快递，到底还要等多久！！！", "track_parcel", [MOOD_ANGRY])
    tracker = make_tracker(slots={"tracking_number": "ZT100000000003", "phone": "13511112222"}, latest=angry,
                           events=history(), sender=conversation, after={"mood": "angry"})
    messages, events = run(ActionHandoffAngry(), tracker)
    shown = texts(messages)
    assert shown.startswith("真的非常抱歉") and "投诉处理" in shown and "分钟" in shown, shown
    assert slot_events(events) == {"mood": None}  # the mark belongs to that message only
    detail = handoff_for(on_duty, conversation)
    assert (detail["reason"], detail["team"], detail["intent"]) == ("angry_customer", "complaints", "track_parcel")
    assert detail["transcript"][-1]["text"] == "你们这破快递，到底还要等多久！！！"
    assert detail["slots"]["tracking_number"] == "ZT100000000003" and detail["customer_phone"] == "135****2222"


def test_an_angry_request_for_a_person_is_recorded_as_angry(on_duty) -> None:
    conversation = conv("mood-human")
    tracker = make_tracker(latest=user("受够了，给我转人工", "request_human", [MOOD_ANGRY]), sender=conversation)
    run(ActionRequestHuman(), tracker)
    assert handoff_for(on_duty, conversation)["reason"] == "angry_customer"


def test_an_angry_message_while_waiting_moves_the_customer_to_the_complaints_team_and_says_so_once(on_duty) -> None:
    conversation = conv("mood-waiting")
    asked = make_tracker(latest=user("转人工", "request_human"), events=history(), sender=conversation)
    assert "在线客服队列" in texts(run(ActionRequestHuman(), asked)[0])
    queued = handoff_for(on_duty, conversation)

    angry = user("等了半天还没人理，你们这破快递！！！", "track_parcel", [MOOD_ANGRY])
    tracker = make_tracker(latest=angry, events=history(), sender=conversation, after={"mood": "angry"})
    shown = texts(run(ActionHandoffAngry(), tracker)[0])
    assert shown.startswith("真的非常抱歉") and "转到投诉处理队列" in shown and "排队时间照常保留" in shown, shown
    assert "在线客服" not in shown and shown.count("抱歉") == 1, shown
    moved = handoff_for(on_duty, conversation)
    assert (moved["id"], moved["reason"], moved["team"]) == (queued["id"], "angry_customer", "complaints")
    assert moved["created_at"] == queued["created_at"]

    # Still angry a minute later: an apology and the place in the queue, not a second move.
    again = texts(run(ActionHandoffAngry(), tracker)[0])
    assert "投诉处理队列" in again and "转到" not in again and "排队时间照常保留" not in again, again
    assert handoff_for(on_duty, conversation)["id"] == queued["id"]


def test_an_angry_customer_out_of_hours_is_apologised_to_and_offered_a_callback(off_duty) -> None:
    conversation = conv("mood-night")
    tracker = make_tracker(slots={"phone": "13600001234"}, sender=conversation,
                           latest=user("气死我了，到底送不送", "track_parcel", [MOOD_ANGRY]))
    messages, events = run(ActionHandoffAngry(), tracker)
    shown = texts(messages)
    assert shown.startswith("真的非常抱歉") and "不在人工客服的服务时间" in shown and "136****1234" in shown, shown
    assert shown.count("抱歉") == 1, shown  # one apology, not two in a row
    slots = slot_events(events)
    assert slots["handoff_callback_offered"] == "offered" and slots["handoff_reason"] == "angry_customer"
    assert slots["mood"] is None


def test_a_key_customer_asking_for_their_manager_reaches_the_vip_team(on_duty) -> None:
    conversation = conv("vip")
    manager = {"name": "周经理", "phone": "13900001111"}
    tracker = make_tracker(slots={"customer_vip": True, "account_manager": manager, "phone": "13812345678"},
                           latest=user("找我的客户经理", "request_human"), sender=conversation)
    shown = texts(run(ActionRequestHuman(), tracker)[0])
    # Routed to the VIP team silently: a typed phone proves nothing, so no label and no manager (issue 13 #5).
    assert "VIP" not in shown and "周经理" not in shown and "1111" not in shown and "核实您的身份后" in shown
    detail = handoff_for(on_duty, conversation)
    assert detail["reason"] == "manager_requested" and detail["is_vip"] and detail["position"] == 1


def test_the_second_misunderstanding_in_a_row_hands_off(on_duty) -> None:
    conversation = conv("nlu")
    first = make_tracker(latest=user("阿巴阿巴", "nlu_fallback"), events=history(), sender=conversation)
    messages, _ = run(ActionHandoffNotUnderstood(), first)
    assert messages[0]["response"] == "utter_default"
    assert on_duty.get(f"/handoffs/by-conversation/{conversation}").json()["status"] is None
    earlier = [user("阿巴阿巴", "nlu_fallback"), {"event": "bot", "text": "不好意思，我没太明白您的意思。"}]
    second = make_tracker(latest=user("咕噜咕噜", "nlu_fallback"), events=earlier, sender=conversation)
    shown = texts(run(ActionHandoffNotUnderstood(), second)[0])
    assert "两次都没能理解" in shown
    assert handoff_for(on_duty, conversation)["reason"] == "not_understood_twice"


def test_a_claim_over_the_limit_is_queued_for_the_claims_team(on_duty) -> None:
    import asyncio

    conversation = conv("claim")
    tracker = make_tracker(slots={"claim_tracking_number": "ZT100000000005", "claim_phone": "13855556666"},
                           latest=user("确认", "affirm"), sender=conversation)
    assert asyncio.run(record_handoff(tracker, "claim_over_limit"))
    detail = handoff_for(on_duty, conversation)
    assert detail["team"] == "claims" and detail["customer_phone"] == "138****6666"


def test_outside_hours_a_callback_is_offered_and_registered_with_consent(off_duty) -> None:
    conversation = conv("night")
    tracker = make_tracker(latest=user("转人工", "request_human"), sender=conversation)
    messages, events = run(ActionRequestHuman(), tracker)
    assert "不在人工客服的服务时间" in texts(messages) and "回电" in texts(messages)
    assert [b["payload"] for b in messages[0]["buttons"]] == ["好的", "不用了"]
    slots = slot_events(events)
    assert slots["handoff_callback_offered"] == "offered" and slots["callback_phone"] is None

    consent = make_tracker(slots=slots, latest=user("好的", "affirm"), sender=conversation)
    messages, events = run(ActionRegisterCallback(), consent)
    assert "手机号" in texts(messages) and slot_events(events)["handoff_callback_offered"] == "need_phone"

    wrong = make_tracker(slots={**slots, "handoff_callback_offered": "need_phone"}, latest=user("12345"),
                         sender=conversation)
    assert "不太对" in texts(run(ActionRegisterCallback(), wrong)[0])

    number = make_tracker(slots={**slots, "handoff_callback_offered": "need_phone"},
                          latest=user("13511112222"), sender=conversation)
    messages, events = run(ActionRegisterCallback(), number)
    shown = texts(messages)
    assert "已为您登记回电" in shown and "135****2222" in shown and "13511112222" not in shown
    assert slot_events(events)["handoff_callback_offered"] is None
    items = login(off_duty, "agent").get(f"{off_duty.base_url}/console/api/callbacks", timeout=15).json()["items"]
    assert any(item["phone"] == "13511112222" for item in items)


def test_a_known_phone_is_used_for_the_callback_and_a_no_is_respected(off_duty) -> None:
    conversation = conv("known")
    tracker = make_tracker(slots={"phone": "13600001234"}, latest=user("人工", "request_human"), sender=conversation)
    messages, events = run(ActionRequestHuman(), tracker)
    assert "136****1234" in texts(messages)
    slots = slot_events(events)
    shown = texts(run(ActionRegisterCallback(), make_tracker(slots=slots, latest=user("好的", "affirm"),
                                                             sender=conversation))[0])
    assert "已为您登记回电" in shown and "136****1234" in shown
    messages, events = run(ActionDeclineCallback(), make_tracker(slots=slots, latest=user("不用了", "deny")))
    assert "不为您登记回电" in texts(messages) and slot_events(events)["handoff_callback_offered"] is None


def test_when_the_backend_is_down_the_customer_is_told_honestly() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    set_client(BackendClient(base_url=f"http://127.0.0.1:{port}", retries=0, timeout_s=0.5))
    try:
        shown = texts(run(ActionRequestHuman(), make_tracker(latest=user("转人工", "request_human")))[0])
    finally:
        set_client(None)
    assert "暂时也连接不上" in shown and "Traceback" not in shown
