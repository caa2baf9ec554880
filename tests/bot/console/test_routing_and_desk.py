"""Routing by reason, key customers first then oldest, queue position and wait; the agent's desk over HTTP."""

from __future__ import annotations

import uuid

from tests.bot.console.conftest import login, open_handoff

VIP_PHONE = "13812345678"  # a key customer in the demo seed (account manager 周经理)


def conv(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def test_reasons_go_to_their_teams(desk_backend) -> None:
    expected = {"asked_for_human": "general", "not_understood_twice": "general", "backend_down": "general",
                "angry_customer": "complaints", "claim_over_limit": "claims", "manager_requested": "vip"}
    for reason, team in expected.items():
        assert open_handoff(desk_backend, conv("route"), reason)["team"] == team


def test_an_unknown_reason_is_refused(desk_backend) -> None:
    reply = desk_backend.post("/handoffs", json={"conversation_id": conv("bad"), "reason": "bored"})
    assert reply.status_code == 422


def test_key_customers_jump_the_queue_then_oldest_first(desk_backend) -> None:
    agent = login(desk_backend, "sun")  # claims team
    first = open_handoff(desk_backend, conv("claims-a"), "claim_over_limit")
    second = open_handoff(desk_backend, conv("claims-b"), "claim_over_limit")
    vip = open_handoff(desk_backend, conv("claims-vip"), "claim_over_limit", customer_phone=VIP_PHONE)
    assert vip["is_vip"] and vip["position"] == 1 and vip["account_manager"] == "周经理"
    queue = agent.get(f"{desk_backend.base_url}/console/api/queue", timeout=15).json()
    ours = [vip["handoff_id"], first["handoff_id"], second["handoff_id"]]
    order = [item["id"] for item in queue["waiting"]]
    assert order[0] == vip["handoff_id"] and [i for i in order if i in ours] == ours
    positions = {item["id"]: item["position"] for item in queue["waiting"]}
    assert positions[second["handoff_id"]] == positions[first["handoff_id"]] + 1 == second["position"] + 1
    assert [item["position"] for item in queue["waiting"]] == list(range(1, len(order) + 1))
    # The wait promised grows with the conversations ahead (settings.handoff_eta_minutes each).
    last = queue["waiting"][-1]
    state = desk_backend.get(f"/handoffs/by-conversation/{last['conversation_id']}").json()
    assert state["position"] == len(order) and state["eta_minutes"] == 3 * (len(order) - 1)
    assert queue["waiting"][0]["customer_phone"] == "138****5678"


def test_a_second_request_joins_the_open_handoff(desk_backend) -> None:
    conversation = conv("twice")
    first = open_handoff(desk_backend, conversation)
    again = open_handoff(desk_backend, conversation)
    assert again["handoff_id"] == first["handoff_id"] and again["status"] == "already_open"


def test_a_conversation_from_waiting_to_agent_and_back(desk_backend) -> None:
    base = desk_backend.base_url
    conversation = conv("life")
    created = open_handoff(desk_backend, conversation, transcript=[{"role": "user", "text": "转人工", "at": 1.0}],
                           slots={"tracking_number": "ZT100000000001", "phone": "13511112222"},
                           customer_phone="13511112222", intent="track_parcel")
    handoff = created["handoff_id"]
    # Waiting: the assistant still answers, the agent will see the message.
    inbound = {"conversation_id": conversation, "text": "人呢？", "channel": "socketio"}
    assert desk_backend.post("/handoffs/inbound", json=inbound).json()["intercepted"] is False

    agent, colleague, other_team = login(desk_backend, "li"), login(desk_backend, "zhao"), login(desk_backend, "qian")
    assert other_team.post(f"{base}/console/api/handoffs/{handoff}/accept", timeout=15).status_code == 404
    detail = agent.post(f"{base}/console/api/handoffs/{handoff}/accept", timeout=15).json()
    assert detail["status"] == "active" and detail["transcript"][0]["text"] == "转人工"
    assert detail["slots"]["phone"] == "135****2222" and detail["intent"] == "track_parcel"
    assert any(m["author"] == "customer" and m["text"] == "人呢？" for m in detail["messages"])
    # Only one agent can own it; only the owner can write.
    assert colleague.post(f"{base}/console/api/handoffs/{handoff}/accept", timeout=15).status_code == 409
    assert colleague.post(f"{base}/console/api/handoffs/{handoff}/messages", json={"text": "hi"},
                          timeout=15).status_code == 409

    # Active: the assistant is silent, the customer's message is stored for the agent.
    inbound["text"] = "我的快递到哪了"
    assert desk_backend.post("/handoffs/inbound", json=inbound).json()["intercepted"] is True
    sent = agent.post(f"{base}/console/api/handoffs/{handoff}/messages", json={"text": "您好，我帮您查一下"}, timeout=15)
    assert sent.status_code == 201
    # No Rasa in this test: the message is kept and marked undelivered, with the reason for the agent.
    assert sent.json()["delivered"] is False and sent.json()["problem"]
    messages = agent.get(f"{base}/console/api/handoffs/{handoff}/messages?after=0", timeout=15).json()["messages"]
    assert [m["text"] for m in messages if m["author"] in ("customer", "agent")][-2:] == ["我的快递到哪了", "您好，我帮您查一下"]

    context = agent.get(f"{base}/console/api/handoffs/{handoff}/context", timeout=15).json()
    assert context["parcel"]["tracking_number"] == "ZT100000000001"
    assert context["customer"] is None or context["customer"]["phone"] == "135****2222"

    ended = agent.post(f"{base}/console/api/handoffs/{handoff}/end", timeout=15).json()
    assert ended["status"] == "ended" and ended["assistant_resumed"] is False
    assert desk_backend.post("/handoffs/inbound", json=inbound).json()["intercepted"] is False


def test_quick_actions_open_tickets_for_the_customer(desk_backend) -> None:
    base = desk_backend.base_url
    created = open_handoff(desk_backend, conv("quick"), customer_phone="13600001234",
                           slots={"tracking_number": "ZT100000000002"})
    agent = login(desk_backend, "li")
    handoff = created["handoff_id"]
    agent.post(f"{base}/console/api/handoffs/{handoff}/accept", timeout=15)
    complaint = agent.post(f"{base}/console/api/handoffs/{handoff}/complaints", timeout=15,
                           json={"category": "attitude", "description": "快递员态度差"})
    assert complaint.status_code == 201 and complaint.json()["number"].startswith("CP")
    claim = agent.post(f"{base}/console/api/handoffs/{handoff}/claims", timeout=15,
                       json={"tracking_number": "ZT100000000002", "claim_type": "damage", "description": "外箱压坏",
                             "claimed_amount_fen": 5000})
    assert claim.status_code == 201 and claim.json()["number"].startswith("CL")
    context = agent.get(f"{base}/console/api/handoffs/{handoff}/context", timeout=15).json()
    assert complaint.json()["number"] in [c["number"] for c in context["complaints"]]
    assert claim.json()["number"] in [c["number"] for c in context["claims"]]
    bad = agent.post(f"{base}/console/api/handoffs/{handoff}/complaints", timeout=15,
                     json={"category": "weather", "description": "x"})
    assert bad.status_code == 422
    assert agent.get(f"{base}/console/api/parcels/ZT100000000003", timeout=15).json()["status"] == "delayed"


def test_waiting_customers_can_go_back_to_the_assistant(desk_backend) -> None:
    conversation = conv("cancel")
    open_handoff(desk_backend, conversation)
    reply = desk_backend.post("/handoffs/inbound",
                              json={"conversation_id": conversation, "text": "取消转人工", "channel": "socketio"})
    assert reply.json() == {"intercepted": False, "status": "cancelled"}
    assert desk_backend.get(f"/handoffs/by-conversation/{conversation}").json()["status"] is None


def test_kpi_report_for_the_console(desk_backend) -> None:
    report = login(desk_backend, "li").get(f"{desk_backend.base_url}/console/api/kpi?days=30", timeout=15).json()
    assert report["handoffs_by_reason"]["asked_for_human"] >= 1
    assert report["handoffs_by_team"]["general"] >= 1 and len(report["daily_handoffs"]) == 30
    assert 0 <= report["containment_rate"] <= 1 and report["satisfaction_average"] is not None


def test_out_of_hours_becomes_a_callback_with_consent(closed_backend) -> None:
    conversation = conv("night")
    answer = open_handoff(closed_backend, conversation)
    assert answer["status"] == "out_of_hours" and answer["handoff_id"] is None
    assert answer["next_open_text"].startswith(("今天", "明天"))
    refused = closed_backend.post("/callbacks", json={"conversation_id": conversation, "phone": "13511112222",
                                                      "consent": False})
    assert refused.status_code == 422
    bad_phone = closed_backend.post("/callbacks", json={"conversation_id": conversation, "phone": "12345",
                                                        "consent": True})
    assert bad_phone.status_code == 422
    callback = closed_backend.post("/callbacks", json={"conversation_id": conversation, "phone": "135 1111 2222",
                                                       "consent": True})
    assert callback.status_code == 201
    body = callback.json()
    assert body["phone"] == "135****2222" and body["call_after_text"] == answer["next_open_text"]
    # Nothing is queued for agents, and the customer's messages still go to the assistant.
    assert closed_backend.post("/handoffs/inbound", json={"conversation_id": conversation, "text": "在吗",
                                                          "channel": "socketio"}).json()["intercepted"] is False
    agent = login(closed_backend, "agent")
    items = agent.get(f"{closed_backend.base_url}/console/api/callbacks", timeout=15).json()["items"]
    assert any(item["id"] == body["callback_id"] and item["phone"] == "13511112222" for item in items)


def test_on_wechat_the_agents_greeting_names_the_agent_once(desk_backend) -> None:
    from bot.channels.wechat.channel import _signed_by

    conversation = f"wx:{conv('join')}"
    handoff = open_handoff(desk_backend, conversation, channel="wechat")["handoff_id"]
    detail = login(desk_backend, "li").post(f"{desk_backend.base_url}/console/api/handoffs/{handoff}/accept",
                                            timeout=15).json()
    [greeting] = [m for m in detail["messages"] if m["author"] == "agent"]
    # What the WeChat customer reads: the channel signs every agent message with the agent's name.
    shown = _signed_by({"role": "agent", "name": "李娜"}) + greeting["text"]
    assert shown.count("李娜") == 1 and "已接入" in shown, shown


def test_an_angry_customer_already_waiting_moves_to_the_complaints_team_keeping_their_wait(desk_backend) -> None:
    base = desk_backend.base_url
    general_desk, complaints_desk = login(desk_backend, "li"), login(desk_backend, "qian")
    conversation = conv("angry-waiting")
    first = open_handoff(desk_backend, conversation, "asked_for_human")
    assert first["team"] == "general" and first["status"] == "waiting"
    waiting_since = general_desk.get(f"{base}/console/api/handoffs/{first['handoff_id']}", timeout=15).json()["created_at"]
    newer = open_handoff(desk_backend, conv("angry-newer"), "angry_customer")  # a complaint queued after it

    moved = open_handoff(desk_backend, conversation, "angry_customer")
    assert (moved["handoff_id"], moved["status"], moved["team"]) == (first["handoff_id"], "moved", "complaints")
    assert moved["team_name"] == "投诉处理" and moved["position"] >= 1 and moved["eta_minutes"] >= 1
    complaints = complaints_desk.get(f"{base}/console/api/queue", timeout=15).json()["waiting"]
    positions = {item["id"]: item["position"] for item in complaints}
    assert positions[first["handoff_id"]] < positions[newer["handoff_id"]]  # its time waited still counts
    general = general_desk.get(f"{base}/console/api/queue", timeout=15).json()["waiting"]
    assert first["handoff_id"] not in [item["id"] for item in general]
    detail = complaints_desk.get(f"{base}/console/api/handoffs/{first['handoff_id']}", timeout=15).json()
    assert (detail["reason"], detail["reason_text"], detail["created_at"]) == (
        "angry_customer", "顾客情绪激动", waiting_since)
    notes = [m["text"] for m in detail["messages"] if m["author"] == "system"]
    assert len(notes) == 1 and "在线客服" in notes[0] and "投诉处理" in notes[0], notes

    # Angry again: already where it belongs, nothing moves twice.
    again = open_handoff(desk_backend, conversation, "angry_customer")
    assert (again["handoff_id"], again["status"], again["team"]) == (first["handoff_id"], "already_open", "complaints")


def test_specialist_queues_and_accepted_conversations_are_not_moved(desk_backend) -> None:
    claim = conv("angry-claim")
    queued = open_handoff(desk_backend, claim, "claim_over_limit")
    again = open_handoff(desk_backend, claim, "angry_customer")
    assert (again["handoff_id"], again["status"], again["team"]) == (queued["handoff_id"], "already_open", "claims")

    talking = conv("angry-active")
    handoff = open_handoff(desk_backend, talking)["handoff_id"]
    login(desk_backend, "zhao").post(f"{desk_backend.base_url}/console/api/handoffs/{handoff}/accept", timeout=15)
    again = open_handoff(desk_backend, talking, "angry_customer")
    assert (again["status"], again["team"]) == ("already_open", "general")


def test_the_wait_promised_counts_the_conversations_ahead() -> None:
    from bot.console.routing import eta_minutes
    from bot.settings import get_settings

    each = get_settings().handoff_eta_minutes
    # First in the queue: until an agent is free; then one conversation's time per conversation ahead.
    assert [eta_minutes(place) for place in (1, 2, 3, 5)] == [each, each, 2 * each, 4 * each]
