"""An angry customer is handed to a person, end to end (Rasa + actions + backend), in both scripts.

What the customer sees is checked on the REST channel's replies; what the agents get is checked in the agent
console's API, as an agent of the complaints team (created with the documented CLI) sees it: the reason
(顾客情绪激动), the detected intent and the transcript. A calm complaint and ordinary impatience must not hand off.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.flows2_chat import Backend, Chat, tw

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
DESK_PASSWORD = "angry-desk-pass-2026"
# Intents detected_intent() passes over when it names what the customer was trying to do (actions/handoff.py).
NOT_A_GOAL = {"request_human", "nlu_fallback", "affirm", "deny", "inform"}


@pytest.fixture(scope="module")
def complaints_desk(stack) -> requests.Session:
    """A logged-in agent of the complaints team, the team angry customers are routed to."""
    env = {**os.environ, "COURIER_VAR_DIR": str(stack.var_dir)}  # the stack's database (DATABASE_URL if set)
    created = subprocess.run(
        [sys.executable, "-m", "bot.console.create_agent", "--username", "qian-angry", "--team", "complaints",
         "--name", "钱静", "--password-stdin"],
        input=DESK_PASSWORD + "\n", text=True, capture_output=True, cwd=ROOT, env=env, timeout=60)
    assert created.returncode == 0, created.stderr
    agent = requests.Session()
    agent.headers["Origin"] = stack.backend_url  # as the console's pages send (bot/console/origin_guard.py)
    reply = agent.post(f"{stack.backend_url}/console/api/login",
                       json={"username": "qian-angry", "password": DESK_PASSWORD}, timeout=15)
    assert reply.status_code == 200, reply.text
    return agent


def seen_by_desk(stack: Any, agent: requests.Session, conversation_id: str) -> dict[str, Any] | None:
    """The conversation as the complaints agent sees it: its queue entry, opened (None when not queued)."""
    queue = agent.get(f"{stack.backend_url}/console/api/queue", timeout=15).json()
    item = next((i for i in queue["waiting"] if i["conversation_id"] == conversation_id), None)
    if item is None:
        return None
    return agent.get(f"{stack.backend_url}/console/api/handoffs/{item['id']}", timeout=15).json()


def expected_intent(stack: Any, *messages: str) -> str | None:
    """The intent the handoff should carry: the latest of these messages' intents that names a goal."""
    for message in reversed(messages):
        name = stack.parse(message)["intent"]["name"]
        if name not in NOT_A_GOAL:
            return name
    return None


def is_marked_angry(stack: Any, message: str) -> bool:
    return any(e["entity"] == "mood" and e["value"] == "angry" for e in stack.parse(message)["entities"])


def test_an_angry_customer_asking_about_a_late_parcel_is_handed_to_a_person(stack, complaints_desk) -> None:
    chat = Chat(stack, "angry-zh")
    asked, angry = "查一下 ZT100000000003", "你们这破快递，到底还要等多久！！！"
    chat.say(asked)
    shown = chat.say(angry)
    assert shown.startswith("真的非常抱歉") and "投诉处理" in shown, chat.history()
    assert "排在第 1 位" in shown or "前面还有" in shown, chat.history()
    assert Backend(stack).get(f"/handoffs/by-conversation/{chat.sender}")["status"] == "waiting"

    seen = seen_by_desk(stack, complaints_desk, chat.sender)
    assert seen is not None, chat.history()
    assert (seen["reason"], seen["reason_text"], seen["team"]) == ("angry_customer", "顾客情绪激动", "complaints")
    assert seen["intent"] == expected_intent(stack, asked, angry) and seen["intent"], seen
    assert seen["slots"].get("tracking_number") == "ZT100000000003", seen["slots"]
    assert [line["text"] for line in seen["transcript"] if line["role"] == "user"][-2:] == [asked, angry]

    # While waiting the assistant keeps helping; a calm message neither apologises again nor opens a second handoff.
    shown = chat.say("ZT100000000003 现在到哪了")
    assert "ZT100000000003" in shown and "真的非常抱歉" not in shown, chat.history()
    assert seen_by_desk(stack, complaints_desk, chat.sender)["id"] == seen["id"]


def test_an_angry_traditional_customer_in_a_complaint_is_handed_off_and_the_form_goes_on(
        stack, complaints_desk) -> None:
    chat = Chat(stack, "angry-tw")
    opened, angry = "我要投訴", "氣死我了，這已經是第三次反映了！"
    assert tw("哪方面") in chat.say(opened), chat.history()
    shown = chat.say(angry)
    assert shown.startswith(tw("真的非常抱歉")) and tw("投诉处理") in shown, chat.history()
    assert tw("让您遇到") in shown and "让您遇到" not in shown, chat.history()  # Traditional in, Traditional out
    # Then the form asks for the category again (its question, or its hint with the same buttons).
    assert shown.rindex(f"[{tw('延误')}]") > shown.index(tw("投诉处理")), chat.history()

    seen = seen_by_desk(stack, complaints_desk, chat.sender)
    assert seen is not None and seen["reason"] == "angry_customer" and seen["reason_text"] == "顾客情绪激动", seen
    assert seen["intent"] == expected_intent(stack, opened, angry) and seen["intent"], seen
    assert angry in [line["text"] for line in seen["transcript"]]  # the agent reads what the customer typed

    # The complaint goes on where it was.
    assert tw("具体经过") in chat.say("派送"), chat.history()


def test_a_calm_complaint_and_ordinary_impatience_are_not_handed_off(stack, complaints_desk) -> None:
    chat = Chat(stack, "calm")
    for message in ("我要投诉快递员态度不好", "包裹好像丢了", "怎么还没到"):
        assert not is_marked_angry(stack, message), message
    shown = chat.say("我要投诉快递员态度不好")
    assert "非常抱歉给您带来了不好的体验" in shown and "人工" not in shown, chat.history()
    assert "队列" not in chat.say("包裹好像丢了"), chat.history()
    assert seen_by_desk(stack, complaints_desk, chat.sender) is None
    assert Backend(stack).get(f"/handoffs/by-conversation/{chat.sender}")["status"] is None


def test_angry_messages_are_marked_in_both_scripts(stack) -> None:
    for message in ("垃圾快递", "再不处理我就打12305", "你們這些騙子😡", "我要找律師"):
        assert is_marked_angry(stack, message), stack.parse(message)


def test_an_angry_customer_already_waiting_is_moved_to_the_complaints_team_and_told_once(
        stack, complaints_desk) -> None:
    chat = Chat(stack, "angry-queued")
    assert "在线客服队列" in chat.say("转人工"), chat.history()
    queued = Backend(stack).get(f"/handoffs/by-conversation/{chat.sender}")
    assert (queued["status"], queued["team"]) == ("waiting", "general"), queued

    shown = chat.say("你们这破快递，到底还要等多久！！！")
    assert shown.startswith("真的非常抱歉") and "转到投诉处理队列" in shown and "排队时间照常保留" in shown, chat.history()
    assert shown.count("抱歉") == 1 and "在线客服" not in shown, chat.history()
    moved = Backend(stack).get(f"/handoffs/by-conversation/{chat.sender}")
    assert (moved["handoff_id"], moved["status"], moved["team"]) == (queued["handoff_id"], "waiting", "complaints")
    seen = seen_by_desk(stack, complaints_desk, chat.sender)
    assert seen is not None and seen["id"] == queued["handoff_id"], chat.history()
    assert (seen["reason"], seen["reason_text"]) == ("angry_customer", "顾客情绪激动"), seen
