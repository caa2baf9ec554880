"""The console in a real browser (Debian's Chromium): customer text is shown as text, never run as script."""

from __future__ import annotations

import time
import uuid

import pytest
from playwright.sync_api import Browser, Page

from tests.bot.console.conftest import PASSWORD, open_handoff
from tests.support import screenshot

HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'




def agent_page(browser: Browser, base_url: str, username: str) -> Page:
    page = browser.new_context(viewport={"width": 1360, "height": 860}, locale="zh-CN").new_page()
    page.goto(f"{base_url}/console/")
    page.wait_for_url("**/console/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    page.wait_for_url("**/console/")
    return page


@pytest.mark.browser
def test_script_in_a_customer_message_is_rendered_as_text(browser: Browser, desk_backend) -> None:
    conversation = f"xss-{uuid.uuid4().hex[:8]}"
    created = open_handoff(desk_backend, conversation, transcript=[{"role": "user", "text": HOSTILE, "at": 1.0}])
    desk_backend.post("/handoffs/inbound", json={"conversation_id": conversation, "text": HOSTILE, "channel": "socketio"})
    page = agent_page(browser, desk_backend.base_url, "zhao")
    item = page.locator(f'#waiting li[data-handoff-id="{created["handoff_id"]}"]')
    item.wait_for(timeout=10_000)
    item.click()
    page.locator("#transcript .bubble-row.customer .text").first.wait_for(timeout=10_000)
    shown = page.locator("#transcript .bubble-row.customer .text").all_inner_texts()
    assert shown.count(HOSTILE) == 2, shown
    assert page.locator("#transcript script, #transcript img").count() == 0
    assert page.evaluate("window.__pwned") is None
    screenshot(page, "console-escaped-script")
    page.context.close()


@pytest.mark.browser
def test_the_kpi_page_draws_its_charts(browser: Browser, desk_backend) -> None:
    page = agent_page(browser, desk_backend.base_url, "li")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{desk_backend.base_url}/console/kpi")
    page.locator("#chart-reasons svg rect").first.wait_for(timeout=10_000)
    assert page.locator("#tiles .tile").count() >= 6
    assert page.locator("#chart-daily svg rect").count() >= 1
    assert "机器人独立解决率" in page.locator("#tiles").inner_text()
    screenshot(page, "console-kpi")
    assert not errors, errors
    page.context.close()


@pytest.mark.browser
def test_accepting_shows_the_whole_transcript_and_then_updates_live(browser: Browser, desk_backend) -> None:
    conversation = f"acc-{uuid.uuid4().hex[:8]}"
    created = open_handoff(desk_backend, conversation, transcript=[
        {"role": "user", "text": "ZT100000000001 到哪了", "at": 1.0},
        {"role": "bot", "text": "您的快件在济南转运中心。", "at": 2.0},
        {"role": "user", "text": "转人工", "at": 3.0}])
    page = agent_page(browser, desk_backend.base_url, "li")
    item = page.locator(f'#waiting li[data-handoff-id="{created["handoff_id"]}"]')
    item.wait_for(timeout=10_000)

    def inbound(text: str) -> dict:
        reply = desk_backend.post("/handoffs/inbound", json={"conversation_id": conversation, "text": text,
                                                             "channel": "socketio"})
        assert reply.status_code == 200, reply.text
        return reply.json()

    # Written while the conversation waited in the queue, before the agent opened it.
    assert inbound("还要等多久？")["intercepted"] is False
    item.click()
    transcript = page.locator("#transcript")
    transcript.locator(".bubble-row.customer .text", has_text="还要等多久").wait_for(timeout=10_000)
    # Written while the agent looks at the waiting conversation, right up to the click on accept.
    for n in range(5):
        inbound(f"我再补充一句 {n}")
    page.click("#accept")
    transcript.locator(".bubble-row.agent .text", has_text="已接入").wait_for(timeout=10_000)
    for n in range(5):
        transcript.locator(".bubble-row.customer .text", has_text=f"我再补充一句 {n}").wait_for(timeout=10_000)
    # Live after accepting: the agent sees the customer's next messages without reloading.
    assert inbound("好的，谢谢")["intercepted"] is True
    transcript.locator(".bubble-row.customer .text", has_text="好的，谢谢").wait_for(timeout=10_000)
    time.sleep(1.5)  # a few polls: nothing may be shown twice
    shown = transcript.locator(".bubble-row .text").all_inner_texts()
    for text in ("ZT100000000001 到哪了", "您的快件在济南转运中心。", "转人工", "还要等多久？", "好的，谢谢",
                 *[f"我再补充一句 {n}" for n in range(5)]):
        assert shown.count(text) == 1, (text, shown)
    ids = [i for i in transcript.locator(".bubble-row[data-message-id]").evaluate_all(
        "rows => rows.map(r => r.dataset.messageId)")]
    assert len(ids) == len(set(ids)), ids
    screenshot(page, "console-accepted-transcript")
    page.context.close()
