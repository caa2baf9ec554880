"""The web chat page in a real browser against the real stack.

This is also the regression test for RasaHQ/rasa#13027: with Rasa's stock socket.io channel and
`session_persistence: true`, the socket never joins its session room, so no reply reaches the page and
`say()` below times out.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
import socketio
from playwright.sync_api import Browser, Page

from bot.settings import get_settings
from bot.stack import Ports, Stack
from bot.vocabulary.script import detect_script
from tests.support import require_service, screenshot

REPLY_TIMEOUT_MS = 30_000
FALLBACK_INTENT = "nlu_fallback"




@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    # bypass_csp lets the test evaluate its own probes; the page must be safe without its CSP anyway.
    context = browser.new_context(viewport={"width": 420, "height": 820}, locale="zh-CN", bypass_csp=True)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, f"JavaScript errors on the chat page: {errors}"


def open_chat(page: Page, stack) -> str:
    """Open the page, wait until the server confirmed a session; the session id."""
    page.goto(stack.chat_url)
    page.locator('#status[data-state="online"]').wait_for(timeout=REPLY_TIMEOUT_MS)
    page.locator("body[data-session]").wait_for(timeout=REPLY_TIMEOUT_MS)
    return page.locator("body").get_attribute("data-session")


def bot_rows(page: Page):
    return page.locator(".row-bot .text")


def say(page: Page, text: str) -> list[str]:
    """Type a message like a customer and return the bot's replies shown in the page."""
    before = bot_rows(page).count()
    page.fill("#input", text)
    page.keyboard.press("Enter")
    bot_rows(page).nth(before).wait_for(timeout=REPLY_TIMEOUT_MS)
    settle(page, before + 1)
    return [row.inner_text() for row in bot_rows(page).all()[before:]]


def settle(page: Page, at_least: int, quiet_s: float = 0.8, limit_s: float = 8.0) -> None:
    """Wait until no further bot message has arrived for `quiet_s` (a reply can be several messages)."""
    count, last_change, started = at_least, time.monotonic(), time.monotonic()
    while time.monotonic() - last_change < quiet_s and time.monotonic() - started < limit_s:
        time.sleep(0.1)
        now = bot_rows(page).count()
        if now != count:
            count, last_change = now, time.monotonic()


def tracker(stack, session_id: str) -> dict:
    reply = requests.get(f"{stack.rasa_url}/conversations/{session_id}/tracker", params=stack.rasa_auth, timeout=30)
    reply.raise_for_status()
    return reply.json()


def user_events(stack, session_id: str) -> list[dict]:
    return [event for event in tracker(stack, session_id)["events"] if event["event"] == "user"]




@pytest.mark.e2e
@pytest.mark.browser
def test_each_question_gets_a_real_reply_in_the_page(stack, page: Page) -> None:
    session_id = open_chat(page, stack)
    questions = ["在吗", "什么东西不能寄", "可以寄充電寶嗎", "今天天气怎么样"]
    answers = {}
    for question in questions:
        answers[question] = say(page, question)
        assert answers[question] and all(reply.strip() for reply in answers[question]), f"no reply to {question!r}"
    screenshot(page, "web_chat_four_questions")
    # Replies follow the script the customer writes in.
    assert detect_script("".join(answers["可以寄充電寶嗎"])) == "traditional", answers["可以寄充電寶嗎"]
    assert detect_script("".join(answers["今天天气怎么样"])) != "traditional", answers["今天天气怎么样"]

    events = user_events(stack, session_id)
    assert [event["text"] for event in events] == questions
    for event in events:
        assert event["parse_data"]["intent"]["name"] != FALLBACK_INTENT, f"not understood: {event['text']!r}"
        assert event["input_channel"] == "socketio"
        assert event["metadata"]["channel"] == "socketio"
    assert events[2]["metadata"]["script"] == "traditional"


@pytest.mark.e2e
@pytest.mark.browser
def test_reload_keeps_the_session_and_the_conversation(stack, page: Page) -> None:
    session_id = open_chat(page, stack)
    say(page, "在吗")
    page.reload()
    assert open_chat(page, stack) == session_id
    assert page.locator(".row-user .text").first.inner_text() == "在吗", "transcript lost on reload"
    assert say(page, "什么东西不能寄"), "no reply after reload"
    assert [event["text"] for event in user_events(stack, session_id)] == ["在吗", "什么东西不能寄"]
    screenshot(page, "web_chat_after_reload")


@pytest.mark.e2e
@pytest.mark.browser
def test_the_input_box_takes_as_many_characters_as_the_server_reads(stack, page: Page) -> None:
    open_chat(page, stack)
    # The stack runs with this process's settings: MAX_MESSAGE_CHARS reaches the page through /chat/config.js.
    assert page.locator("#input").get_attribute("maxlength") == str(get_settings().max_message_chars)


@pytest.mark.e2e
@pytest.mark.browser
@pytest.mark.security
def test_a_link_cannot_point_the_page_at_another_server(stack, page: Page) -> None:
    # A stranger's server listening for the session id the page would hand it (issue 13: ?rasa= is gone).
    stranger = Ports.free().rasa
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(f"{stack.chat_url}?rasa=http://127.0.0.1:{stranger}")
    page.locator('#status[data-state="online"]').wait_for(timeout=REPLY_TIMEOUT_MS)
    assert say(page, "在吗"), "no reply from the real assistant"
    assert not [url for url in asked if urlsplit(url).port == stranger], asked


@pytest.mark.e2e
@pytest.mark.browser
def test_pushed_agent_message_appears_in_the_page(stack, page: Page) -> None:
    session_id = open_chat(page, stack)
    say(page, "在吗")
    pushed = stack.push(session_id, "您好，我是人工客服小王，很高兴为您服务。",
                        author={"role": "agent", "name": "小王"}, buttons=[{"title": "好的", "payload": "好的"}])
    assert pushed.status_code == 200, pushed.text
    agent = page.locator(".row-agent")
    agent.first.wait_for(timeout=REPLY_TIMEOUT_MS)
    assert agent.first.locator(".text").inner_text() == "您好，我是人工客服小王，很高兴为您服务。"
    assert "小王" in agent.first.locator(".author").inner_text()
    assert agent.first.locator(".reply-button").inner_text() == "好的"
    screenshot(page, "web_chat_agent_push")


@pytest.mark.e2e
@pytest.mark.browser
def test_markup_in_messages_is_shown_as_text(stack, page: Page) -> None:
    session_id = open_chat(page, stack)
    hostile = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
    say(page, hostile)
    assert page.locator(".row-user .text").last.inner_text() == hostile
    stack.push(session_id, "<b>客服</b><script>window.__pwned = 3</script>", author={"role": "agent"})
    page.locator(".row-agent .text").first.wait_for(timeout=REPLY_TIMEOUT_MS)
    assert page.locator(".row-agent .text").first.inner_text() == "<b>客服</b><script>window.__pwned = 3</script>"
    assert page.locator("#messages script, #messages img, #messages b").count() == 0
    assert page.evaluate("() => window.__pwned") is None
    screenshot(page, "web_chat_markup_as_text")


@pytest.mark.e2e
def test_push_route_refuses_without_the_api_key(stack) -> None:
    reply = requests.post(f"{stack.rasa_url}/webhooks/socketio/push",
                          json={"session_id": "abcdef123456", "text": "hi"}, timeout=30)
    assert reply.status_code == 401
    wrong = requests.post(f"{stack.rasa_url}/webhooks/socketio/push", headers={"X-API-Key": "wrong"},
                          json={"session_id": "abcdef123456", "text": "hi"}, timeout=30)
    assert wrong.status_code == 401


@pytest.mark.e2e
def test_push_route_explains_bad_requests(stack) -> None:
    assert stack.push("abcdef123456", "").status_code == 400
    missing = requests.post(f"{stack.rasa_url}/webhooks/socketio/push", headers={"X-API-Key": stack.api_key},
                            data=b"not json", timeout=30)
    assert missing.status_code == 400 and "JSON" in missing.json()["error"]
    buttons = stack.push("abcdef123456", "hi", buttons=[{"title": 1}])
    assert buttons.status_code == 400 and "buttons" in buttons.json()["error"]


@pytest.mark.e2e
@pytest.mark.browser
def test_trigger_intent_reply_reaches_the_page(stack, page: Page) -> None:
    """The path proactive notices take: Rasa's trigger-intent API with output_channel=socketio."""
    session_id = open_chat(page, stack)
    say(page, "在吗")
    before = bot_rows(page).count()
    triggered = requests.post(f"{stack.rasa_url}/conversations/{session_id}/trigger_intent",
                              params={"output_channel": "socketio", **stack.rasa_auth}, json={"name": "greet"},
                              timeout=60)
    assert triggered.status_code == 200, triggered.text
    bot_rows(page).nth(before).wait_for(timeout=REPLY_TIMEOUT_MS)
    assert bot_rows(page).nth(before).inner_text().strip()


async def push_through_other_instance(listen_url: str, push_url: str, api_key: str) -> tuple[dict, dict]:
    """A customer connected to one Rasa instance; a push sent to another. What the customer got."""
    client = socketio.AsyncClient()
    inbox: asyncio.Queue = asyncio.Queue()
    confirmations: asyncio.Queue = asyncio.Queue()
    client.on("bot_uttered", inbox.put)
    client.on("session_confirm", confirmations.put)
    # Polling only: this aiohttp is older than python-engineio's websocket client expects.
    await client.connect(listen_url, transports=["polling"])
    try:
        await client.emit("session_request", {"session_id": None})
        session_id = await asyncio.wait_for(confirmations.get(), 20)
        pushed = await asyncio.to_thread(
            requests.post, f"{push_url}/webhooks/socketio/push", headers={"X-API-Key": api_key},
            json={"session_id": session_id, "text": "您的包裹正在派送中", "author": {"role": "notice"}}, timeout=30)
        assert pushed.status_code == 200, pushed.text
        return pushed.json(), await asyncio.wait_for(inbox.get(), 20)
    finally:
        await client.disconnect()


# REDIS_URL chooses the production profile, which refuses the demo secrets (bot/production_check.py).
REDIS_INSTANCE_SECRETS = {"BACKEND_API_KEY": "e2e-redis-backend-key", "POD_LINK_SECRET": "e2e-redis-pod-link-secret",
                          "CONSOLE_DEMO_PASSWORD": "e2e-redis-console", "RASA_API_TOKEN": "e2e-redis-rasa-api-token",
                          "CHAT_SESSION_SECRET": "e2e-redis-chat-session-secret"}


@pytest.mark.e2e
@pytest.mark.redis
def test_two_rasa_instances_share_chat_rooms_through_redis(stack, tmp_path: Path) -> None:
    require_service("Redis", "127.0.0.1", 6379)
    instances = [Stack(), Stack()]

    def start(index: int) -> None:
        free = Ports.free()
        instances[index].start(Ports(backend=free.backend, rasa=free.rasa, actions=stack.stack.ports.actions),
                               env={"REDIS_URL": "redis://127.0.0.1:6379/0", **REDIS_INSTANCE_SECRETS},
                               model=stack.model,
                               var_dir=tmp_path / f"rasa-{index}", only=("rasa",))

    try:
        # One after the other from this thread: a child is stopped when the thread that started it ends.
        for index in range(2):
            start(index)
        receipt, received = run_async(
            push_through_other_instance(instances[0].rasa_url, instances[1].rasa_url,
                                        REDIS_INSTANCE_SECRETS["BACKEND_API_KEY"]))
    finally:
        for instance in instances:
            instance.stop()
    assert receipt["online_here"] == 0, "the push went to the instance the customer is NOT connected to"
    assert received == {"text": "您的包裹正在派送中", "author": {"role": "notice"}}


class SocketCustomer:
    """A customer's socket.io connection without a browser (polling: this aiohttp is too old for websockets)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.client = socketio.AsyncClient()
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.confirmations: asyncio.Queue = asyncio.Queue()
        self.tokens: dict[str, str] = {}  # what the page keeps in localStorage: session id → its token
        self.client.on("bot_uttered", self.inbox.put)
        self.client.on("session_confirm", self.confirmations.put)
        self.client.on("session_token", lambda given: self.tokens.update({given["session_id"]: given["session_token"]}))

    async def open(self, session_id: str | None = None, token: str | None = None) -> str:
        await self.client.connect(self.url, transports=["polling"])
        await self.client.emit("session_request", {"session_id": session_id, "session_token": token})
        return await asyncio.wait_for(self.confirmations.get(), 20)

    async def say(self, payload) -> dict:
        await self.client.emit("user_uttered", payload)
        return await asyncio.wait_for(self.inbox.get(), 30)

    async def close(self) -> None:
        await self.client.disconnect()


def run_async(coroutine):
    # Its own thread: Playwright's sync API may keep an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.mark.e2e
def test_reconnecting_with_the_same_session_keeps_the_conversation(stack) -> None:
    async def scenario() -> tuple[str, str, dict]:
        first = SocketCustomer(stack.rasa_url)
        session_id = await first.open()
        token = first.tokens[session_id]
        await first.say({"message": "在吗", "session_id": session_id, "session_token": token})
        await first.close()
        second = SocketCustomer(stack.rasa_url)
        again = await second.open(session_id, token)
        reply = await second.say({"message": "什么东西不能寄", "session_id": again, "session_token": token})
        await second.close()
        return session_id, again, reply

    session_id, again, reply = run_async(scenario())
    assert again == session_id
    assert reply.get("text")
    assert [event["text"] for event in user_events(stack, session_id)] == ["在吗", "什么东西不能寄"]


@pytest.mark.e2e
def test_a_stranger_who_knows_a_session_id_gets_none_of_its_replies(stack) -> None:
    async def scenario() -> tuple[str, str, dict, list]:
        customer, stranger = SocketCustomer(stack.rasa_url), SocketCustomer(stack.rasa_url)
        session_id = await customer.open()
        token = customer.tokens[session_id]
        own = await stranger.open(session_id)  # the id alone, as an agent, a log or a guess gives it
        reply = await customer.say({"message": "什么东西不能寄", "session_id": session_id, "session_token": token})
        await asyncio.sleep(2)
        leaked = [stranger.inbox.get_nowait() for _ in range(stranger.inbox.qsize())]
        await customer.close()
        await stranger.close()
        return session_id, own, reply, leaked

    session_id, own, reply, leaked = run_async(scenario())
    assert own != session_id and reply.get("text")
    assert leaked == []


@pytest.mark.e2e
def test_malformed_and_oversized_messages_get_no_crash_and_a_polite_note(stack) -> None:
    async def scenario() -> tuple[str, dict, dict]:
        customer = SocketCustomer(stack.rasa_url)
        session_id = await customer.open()
        # Nothing readable: each gets a greeting (issue 13: never silence), and none reaches the assistant.
        greetings = [await customer.say(junk) for junk in ("just a string", {"message": 42}, {"message": "   "}, None)]
        assert all(greeting["text"].startswith("您好") for greeting in greetings)
        too_long = await customer.say({"message": "寄" * 1200, "session_id": session_id})
        normal = await customer.say({"message": "在吗", "session_id": session_id})
        await customer.close()
        return session_id, too_long, normal

    session_id, too_long, normal = run_async(scenario())
    assert "精简" in too_long["text"]
    assert normal.get("text")
    assert [event["text"] for event in user_events(stack, session_id)] == ["在吗"]
