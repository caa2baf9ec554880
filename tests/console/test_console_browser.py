"""The console in a real browser (Debian's Chromium): customer text is shown as text, never run as script."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Browser, Page

from tests.console.conftest import PASSWORD, open_handoff
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
