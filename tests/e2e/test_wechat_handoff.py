"""A person takes over a WeChat conversation and hands it back, end to end on the real stack.

The customer (writing Traditional Chinese) talks to the real WeChat channel (messages signed as WeChat does,
`wechat` fixture); the agent works through the console's HTTP API; what reaches the customer outside the
passive reply goes through WeChat's customer-service API, played by a local fake that records every message.
"""

from __future__ import annotations

import time

import pytest
import requests

from bot.settings import get_settings
from bot.vocabulary.script import detect_script
from tests.wechat_side import new_openid, text_xml

pytestmark = pytest.mark.e2e


def tracker_events(stack, sender_id: str, kind: str) -> list[dict]:
    reply = requests.get(f"{stack.rasa_url}/conversations/{sender_id}/tracker", params=stack.rasa_auth, timeout=30)
    reply.raise_for_status()
    return [e for e in reply.json().get("events", []) if e.get("event") == kind]


def console(stack) -> requests.Session:
    agent = requests.Session()
    agent.headers["Origin"] = stack.backend_url  # as the console's pages send (bot/console/origin_guard.py)
    reply = agent.post(f"{stack.backend_url}/console/api/login", timeout=30,
                       json={"username": "agent", "password": get_settings().console_demo_password})
    assert reply.status_code == 200, reply.text
    return agent


def waiting_item(stack, agent: requests.Session, conversation_id: str, timeout_s: float = 30) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        queue = agent.get(f"{stack.backend_url}/console/api/queue", timeout=30).json()
        for item in queue["waiting"]:
            if item["conversation_id"] == conversation_id:
                return item
        time.sleep(0.2)
    raise AssertionError(f"{conversation_id} never reached the console queue: {queue}")


def new_texts(wechat, openid: str, before: int, count: int = 1, timeout_s: float = 30) -> list[str]:
    texts = wechat.api.wait_for_texts(openid, before + count, timeout=timeout_s)[before:]
    assert len(texts) >= count, f"expected {count} message(s) through the customer-service API, got {texts}"
    return texts


def assert_traditional(text: str) -> None:
    assert detect_script(text) == "traditional", text


def test_an_agent_takes_over_a_wechat_chat_in_the_customers_script_and_hands_back(stack, wechat) -> None:
    openid = new_openid()
    sender = f"wx:{openid}"
    agent = console(stack)
    handoff = f"{stack.backend_url}/console/api/handoffs"

    wechat.converse(openid, text_xml(openid, "请问 ZT100000000001 现在到哪里了", wechat.next_msg_id()))
    queued = wechat.converse(openid, text_xml(openid, "转人工", wechat.next_msg_id()))
    assert "队列" in queued, queued
    item = waiting_item(stack, agent, sender)
    assert item["channel"] == "wechat"
    # While it waits the assistant keeps helping; the agent must see that exchange once accepted.
    waiting_answer = wechat.converse(openid, text_xml(openid, "ZT100000000004 到哪了", wechat.next_msg_id()))
    assert "ZT100000000004" in waiting_answer, waiting_answer

    before = len(wechat.api.texts_to(openid))
    accepted = agent.post(f"{handoff}/{item['id']}/accept", timeout=30)
    assert accepted.status_code == 200, accepted.text
    detail = accepted.json()
    lines = [(line["role"], line["text"]) for line in detail["transcript"]]
    assert ("user", "请问 ZT100000000001 现在到哪里了") in lines and ("user", "转人工") in lines, lines
    waited = [line for line in detail["transcript"] if line.get("during_wait")]
    assert [line["text"] for line in waited if line["role"] == "user"] == ["ZT100000000004 到哪了"], waited
    assert any(line["role"] == "bot" and "ZT100000000004" in line["text"] for line in waited), waited
    shown_twice = [m for m in detail["messages"] if m["author"] == "customer" and not m.get("in_transcript")]
    assert not shown_twice, shown_twice
    joined = new_texts(wechat, openid, before)[0]
    assert joined.startswith("【人工客服小王】") and "已接入" in joined, joined
    assert joined.count("小王") == 1, joined  # the signature names the agent; the greeting does not again

    # The customer's next message, now in Traditional, goes to the agent only: no passive reply, nothing
    # through the API, no assistant turn.
    user_turns = len(tracker_events(stack, sender, "user"))
    before = len(wechat.api.texts_to(openid))
    response = wechat.post(text_xml(openid, "您好，請問能送到公司嗎？", wechat.next_msg_id()), openid=openid)
    assert wechat.passive_text(response) is None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        messages = agent.get(f"{handoff}/{item['id']}/messages", timeout=30).json()["messages"]
        if any(m["author"] == "customer" and m["text"] == "您好，請問能送到公司嗎？" for m in messages):
            break
        time.sleep(0.2)
    else:
        raise AssertionError(f"the agent never got the customer's message: {messages}")
    time.sleep(2)
    assert len(wechat.api.texts_to(openid)) == before, "the assistant answered during the agent's session"
    assert len(tracker_events(stack, sender, "user")) == user_turns

    # The agent writes Simplified; the customer reads it in their script, signed as a person's message.
    sent = agent.post(f"{handoff}/{item['id']}/messages", timeout=30,
                      json={"text": "可以的，您的快件正在济南转运，预计明天送达公司。"})
    assert sent.status_code == 201 and sent.json()["delivered"] is True, sent.text
    reply = new_texts(wechat, openid, before)[0]
    assert reply.startswith("【人工客服小王】") and "濟南" in reply and "預計明天送達" in reply, reply
    assert_traditional(reply)

    before = len(wechat.api.texts_to(openid))
    ended = agent.post(f"{handoff}/{item['id']}/end", timeout=60)
    assert ended.status_code == 200 and ended.json()["assistant_resumed"] is True, ended.text
    resumed = new_texts(wechat, openid, before, count=2)
    assert "人工服務已結束" in resumed[0] and "打個分" in resumed[1], resumed
    for text in resumed:
        assert_traditional(text)

    thanks = wechat.converse(openid, text_xml(openid, "5", wechat.next_msg_id()))
    assert "好評" in thanks, thanks  # a 5, not the fifth option of the list
