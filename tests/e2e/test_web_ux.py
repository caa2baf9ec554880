"""Issue 16, points 2 and 6, in a real browser against the real stack.

- A Traditional customer stays Traditional when tapping a button whose payload is Simplified ("延誤" sends
  "延误"), and the page's own words (header, chips, placeholder, welcome, buttons) follow their script.
- Reply buttons work once: answering (tap or typing) or newer buttons disable the older ones, also after reload.
- "新对话" asks before wiping a conversation the customer took part in.
- No "typing" dots for a message an agent has (the console sends no typing signal): the dots only show while
  the assistant works on an answer.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from bot.settings import get_settings
from bot.vocabulary.script import detect_script, to_traditional
from tests.e2e.test_web_chat import REPLY_TIMEOUT_MS, bot_rows, open_chat, settle, user_events
from tests.support import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def new_page(browser: Browser, locale: str = "zh-CN", width: int = 420, height: int = 820) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": width, "height": height}, locale=locale, bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the chat page: {errors}"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    yield from new_page(browser)


@pytest.fixture
def tw_page(browser: Browser) -> Iterator[Page]:
    yield from new_page(browser, locale="zh-TW")


def type_message(page: Page, text: str) -> list[str]:
    before = bot_rows(page).count()
    page.fill("#input", text)
    page.keyboard.press("Enter")
    bot_rows(page).nth(before).wait_for(timeout=REPLY_TIMEOUT_MS)
    settle(page, before + 1)
    return [row.inner_text() for row in bot_rows(page).all()[before:]]


def tap(page: Page, title: str) -> list[str]:
    """Tap the live reply button with this title; the replies it brings."""
    before = bot_rows(page).count()
    page.locator(".reply-button:not([disabled])", has_text=title).first.click()
    bot_rows(page).nth(before).wait_for(timeout=REPLY_TIMEOUT_MS)
    settle(page, before + 1)
    return [row.inner_text() for row in bot_rows(page).all()[before:]]


def live_buttons(page: Page) -> list[str]:
    return page.locator(".reply-button:not([disabled])").all_inner_texts()


def watch_dots(page: Page) -> None:
    """Count from now on how often the typing dots appear (however briefly)."""
    page.evaluate("""() => {
        window.__dotsShown = 0;
        const dots = document.getElementById('typing');
        if (window.__dotsObserver) { window.__dotsObserver.disconnect(); }
        window.__dotsObserver = new MutationObserver(() => { if (!dots.hidden) { window.__dotsShown += 1; } });
        window.__dotsObserver.observe(dots, {attributes: true, attributeFilter: ['hidden']});
    }""")


def page_words(page: Page) -> str:
    """The page's own words: header, chips, placeholder, send button, welcome."""
    return "\n".join([
        page.locator("h1").inner_text(), page.locator("#new-chat").inner_text(),
        page.locator("#chips").inner_text(), page.locator("#input").get_attribute("placeholder") or "",
        page.locator("#send").inner_text(), page.locator(".row-system .text").first.inner_text(),
    ])


# ---- point 2: the customer's script survives buttons; the page follows it ----------------------------------

def test_a_traditional_customer_stays_traditional_through_buttons(stack, page: Page) -> None:
    session_id = open_chat(page, stack)
    assert detect_script(page_words(page)) == "simplified"  # a zh-CN browser starts in Simplified
    asked = type_message(page, "我要投訴")
    assert any(detect_script(reply) == "traditional" for reply in asked), asked
    # The page's own words turned Traditional with the customer's first Traditional message.
    page.locator('body[data-script="tw"]').wait_for(timeout=5_000)
    words = page_words(page)
    assert detect_script(words) == "traditional" and "快遞在線客服" in words and "寄件報價" in words, words
    buttons = live_buttons(page)
    assert "延誤" in buttons, buttons  # button titles in the customer's script too
    screenshot(page, "web_ux_traditional_buttons")

    after_tap = tap(page, "延誤")  # its payload is the Simplified "延误"
    assert after_tap and all(detect_script(reply) != "simplified" for reply in after_tap), after_tap
    assert any(detect_script(reply) == "traditional" for reply in after_tap), after_tap
    assert page.locator("body").get_attribute("data-script") == "tw"
    assert page.locator(".row-user .text").last.inner_text() == "延誤"
    tapped = user_events(stack, session_id)[-1]
    assert tapped["text"] == "延误" and tapped["metadata"]["tapped"] == "延誤", tapped["metadata"]
    assert tapped["metadata"]["script"] == "traditional"
    screenshot(page, "web_ux_traditional_after_tap")

    # Reloading keeps the page in the customer's script.
    page.reload()
    open_chat(page, stack)
    assert page.locator("body").get_attribute("data-script") == "tw"
    assert detect_script(page_words(page)) == "traditional"


def test_a_simplified_customer_stays_simplified_through_buttons(stack, page: Page) -> None:
    open_chat(page, stack)
    type_message(page, "我要投诉")
    assert "延误" in live_buttons(page)
    after_tap = tap(page, "延误")
    assert after_tap and all(detect_script(reply) != "traditional" for reply in after_tap), after_tap
    assert page.locator("body").get_attribute("data-script") == "simplified"
    assert detect_script(page_words(page)) == "simplified"


def test_a_traditional_browser_gets_a_traditional_page_before_the_first_message(stack, tw_page: Page) -> None:
    open_chat(tw_page, stack)
    words = page_words(tw_page)
    assert detect_script(words) == "traditional", words
    assert to_traditional("请问有什么可以帮您？") in words
    screenshot(tw_page, "web_ux_traditional_welcome")
    # A chip sends its words in the page's script: the conversation is Traditional from the start.
    before = bot_rows(tw_page).count()
    tw_page.locator("#chips button", has_text="寄件報價").click()
    bot_rows(tw_page).nth(before).wait_for(timeout=REPLY_TIMEOUT_MS)
    settle(tw_page, before + 1)
    assert tw_page.locator(".row-user .text").last.inner_text() == "寄件多少錢，幫我報個價"
    replies = [row.inner_text() for row in bot_rows(tw_page).all()[before:]]
    assert any(detect_script(reply) == "traditional" for reply in replies), replies


# ---- point 6: buttons work once, "新对话" asks, no fake typing dots ---------------------------------------

def test_old_reply_buttons_are_disabled_once_answered_or_superseded(stack, page: Page) -> None:
    session_id = open_chat(page, stack)
    type_message(page, "在吗")
    first = stack.push(session_id, "您对这次服务满意吗？", author={"role": "agent", "name": "小王"},
                       buttons=[{"title": "5 非常满意", "payload": "5"}, {"title": "1 非常不满意", "payload": "1"}])
    assert first.status_code == 200, first.text
    page.locator(".reply-button", has_text="5 非常满意").wait_for(timeout=REPLY_TIMEOUT_MS)
    assert live_buttons(page) == ["5 非常满意", "1 非常不满意"]

    # Newer buttons supersede the older ones.
    second = stack.push(session_id, "请问寄件选哪种服务？", author={"role": "agent", "name": "小王"},
                        buttons=[{"title": "标准", "payload": "标准"}, {"title": "特快", "payload": "特快"}])
    assert second.status_code == 200, second.text
    page.locator(".reply-button", has_text="特快").wait_for(timeout=REPLY_TIMEOUT_MS)
    assert live_buttons(page) == ["标准", "特快"], live_buttons(page)
    assert page.locator(".reply-button", has_text="5 非常满意").is_disabled()

    # Typing an answer spends the buttons too: a stale "5 非常满意" can no longer be sent mid-quote.
    type_message(page, "从上海寄3公斤到北京多少钱")
    assert not [b for b in live_buttons(page) if b in ("标准", "特快", "5 非常满意", "1 非常不满意")]
    page.locator(".reply-button", has_text="5 非常满意").click(force=True)
    time.sleep(1)
    assert "5" not in [event["text"] for event in user_events(stack, session_id)]
    screenshot(page, "web_ux_spent_buttons")

    # And they stay spent after a reload.
    page.reload()
    open_chat(page, stack)
    # exactly "特快": the quote's own buttons now offer "换特快"
    assert page.get_by_role("button", name="特快", exact=True).is_disabled()
    assert page.locator(".reply-button", has_text="5 非常满意").is_disabled()


def test_a_tapped_button_group_is_spent_and_shows_the_choice(stack, page: Page) -> None:
    open_chat(page, stack)
    type_message(page, "我要投诉")
    group = page.locator(".row-bot .buttons").last
    tap(page, "延误")
    assert group.locator(".reply-button:not([disabled])").count() == 0
    assert group.locator(".reply-button.chosen").inner_text() == "延误"


def test_new_chat_asks_before_wiping(stack, page: Page) -> None:
    session_id = open_chat(page, stack)
    type_message(page, "在吗")
    page.click("#new-chat")
    dialog = page.locator("#new-chat-dialog")
    dialog.wait_for(state="visible", timeout=5_000)
    screenshot(page, "web_ux_new_chat_question")
    page.click("#new-chat-cancel")
    dialog.wait_for(state="hidden", timeout=5_000)
    assert page.locator(".row-user .text").first.inner_text() == "在吗"
    assert page.locator("body").get_attribute("data-session") == session_id

    page.click("#new-chat")
    page.click("#new-chat-confirm")
    page.wait_for_function("id => document.body.dataset.session && document.body.dataset.session !== id",
                           arg=session_id, timeout=REPLY_TIMEOUT_MS)
    page.locator(".row-system").first.wait_for(timeout=REPLY_TIMEOUT_MS)
    assert page.locator(".row-user").count() == 0

    # Nothing said yet: nothing to lose, no question.
    fresh = page.locator("body").get_attribute("data-session")
    page.click("#new-chat")
    assert not dialog.is_visible()
    page.wait_for_function("id => document.body.dataset.session && document.body.dataset.session !== id",
                           arg=fresh, timeout=REPLY_TIMEOUT_MS)


def test_no_typing_dots_for_a_message_an_agent_has(stack, browser: Browser, page: Page) -> None:
    session_id = open_chat(page, stack)
    # While the assistant works on an answer the dots show (it really is answering).
    watch_dots(page)
    page.fill("#input", "在吗")
    page.keyboard.press("Enter")
    bot_rows(page).first.wait_for(timeout=REPLY_TIMEOUT_MS)
    assert page.evaluate("() => window.__dotsShown") >= 1
    type_message(page, "转人工")

    agent = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN").new_page()
    agent.goto(f"{stack.backend_url}/console/")
    agent.wait_for_url("**/console/login")
    agent.fill("#username", "agent")
    agent.fill("#password", get_settings().console_demo_password)
    agent.click("#login-button")
    agent.wait_for_url("**/console/")
    agent.locator(f'#waiting li[data-conversation-id="{session_id}"]').click(timeout=REPLY_TIMEOUT_MS)
    agent.click("#accept")
    page.locator(".row-agent").first.wait_for(timeout=REPLY_TIMEOUT_MS)

    # The agent owns the chat: the customer's message goes to them, and no dots pretend someone is typing.
    bots_before = bot_rows(page).count()
    page.fill("#input", "你好，我的快递三天没动了")
    page.keyboard.press("Enter")
    agent.locator("#transcript .bubble-row.customer .text", has_text="三天没动").wait_for(timeout=REPLY_TIMEOUT_MS)
    page.wait_for_function("() => document.getElementById('typing').hidden", timeout=5_000)
    # The next message shows none from the start (the page remembers a person has the chat).
    watch_dots(page)
    page.fill("#input", "在吗？")
    page.keyboard.press("Enter")
    agent.locator("#transcript .bubble-row.customer .text", has_text="在吗？").wait_for(timeout=REPLY_TIMEOUT_MS)
    time.sleep(1)
    assert page.evaluate("() => window.__dotsShown") == 0, "typing dots while an agent has the chat"
    screenshot(page, "web_ux_with_agent_no_dots")
    assert bot_rows(page).count() == bots_before
    agent.fill("#reply", "您好，我来帮您查一下。")
    agent.keyboard.press("Enter")
    page.locator(".row-agent .text", has_text="我来帮您查一下").wait_for(timeout=REPLY_TIMEOUT_MS)
    agent.click("#end")
    agent.click("#end-confirm")
    agent.context.close()
