"""Issue 16 point 5 in a real browser: a tracking answer shows a card (status, route, timeline, courier, next
steps) beside its text; the card's 催件 records a follow-up; a Traditional customer gets the card in Traditional.

Needs a model trained with the hurry_parcel intent (COURIER_E2E_MODEL while the shared model is older).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from bot.vocabulary.script import detect_script
from tests.e2e.flows2_chat import Backend
from tests.e2e.test_web_chat import REPLY_TIMEOUT_MS, bot_rows, open_chat, settle
from tests.e2e.test_web_ux import new_page
from tests.support import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture
def phone_page(browser: Browser) -> Iterator[Page]:
    yield from new_page(browser, width=420, height=900)


@pytest.fixture
def desktop_tw_page(browser: Browser) -> Iterator[Page]:
    yield from new_page(browser, locale="zh-TW", width=1280, height=900)


def send(page: Page, text: str | None = None, tap: str | None = None) -> None:
    """Type `text` or tap the live button titled `tap`; return once the reply (and any card) has arrived."""
    before = bot_rows(page).count()
    cards = page.locator(".card").count()
    if tap:
        page.locator(".reply-button:not([disabled])", has_text=tap).last.click()
    else:
        page.fill("#input", text or "")
        page.keyboard.press("Enter")
    bot_rows(page).nth(before).wait_for(timeout=REPLY_TIMEOUT_MS)
    settle(page, before + 1)
    page.wait_for_function(f"document.querySelectorAll('.card').length >= {cards}")


def latest_card(page: Page):
    return page.locator(".card").last


def test_a_late_parcels_card_then_its_full_timeline_then_hurry(stack, phone_page: Page) -> None:
    page = phone_page
    open_chat(page, stack)
    send(page, "查一下 ZT100000000003")
    page.locator(".card").first.wait_for(timeout=REPLY_TIMEOUT_MS)
    card = latest_card(page)
    assert card.get_attribute("aria-label") == "包裹 ZT100000000003 的物流卡片"
    assert "card-late" in (card.get_attribute("class") or "")
    assert card.locator(".card-status").inner_text() == "延误"
    assert card.locator(".card-city").all_inner_texts() == ["成都", "杭州"]
    assert card.locator(".card-scan").count() == 1 and card.locator(".card-hint").is_visible()
    actions = card.locator(".card-actions .reply-button").all_inner_texts()
    assert actions == ["催件", "改地址", "投诉", "理赔"], actions
    # The text answer is still in the log for screen readers and is not replaced by the card.
    assert any("ZT100000000003" in text and "延误" in text for text in bot_rows(page).all_inner_texts())
    screenshot(page, "tracking_card_summary_mobile")

    send(page, "2222")  # the receiver's last four digits
    page.wait_for_function("document.querySelectorAll('.card').length >= 2")
    full = latest_card(page)
    assert full.locator(".card-scan").count() > 1 and full.locator(".card-hint").count() == 0
    times = full.locator(".card-when").all_inner_texts()
    assert all("月" in when and ":" in when for when in times), times
    # the first card's buttons were answered by the typed digits
    assert page.locator(".card").first.locator(".reply-button:not([disabled])").count() == 0
    screenshot(page, "tracking_card_verified_mobile")

    send(page, tap="催件")
    assert page.locator(".row-user .text").last.inner_text() == "催件"
    reply = bot_rows(page).last.inner_text()
    assert "杭州营业部" in reply and "最晚" in reply, reply
    follow_ups = [item for item in Backend(stack).get("/follow-ups")["items"]
                  if item["tracking_number"] == "ZT100000000003"]
    assert len(follow_ups) == 1
    # the card stays readable after reload, its buttons spent
    page.reload()
    open_chat(page, stack)
    assert page.locator(".card").count() == 2
    assert page.locator(".card .reply-button:not([disabled])").count() == 0
    screenshot(page, "tracking_card_hurried_mobile")


def test_a_traditional_customer_gets_the_card_in_traditional_with_the_courier_masked(
        stack, desktop_tw_page: Page) -> None:
    page = desktop_tw_page
    open_chat(page, stack)
    send(page, "幫我查一下快遞 ZT100000000004")
    page.locator(".card").first.wait_for(timeout=REPLY_TIMEOUT_MS)
    card = latest_card(page)
    words = card.inner_text()
    assert detect_script(words) == "traditional", words
    assert "物流軌跡" in words and "武漢" in words, words
    courier = card.locator(".card-courier")
    assert "派送快遞員" in courier.inner_text() and "****" in courier.inner_text()
    assert courier.locator("a").count() == 0  # no number to call before verification
    assert card.locator(".card-actions .reply-button").all_inner_texts()[:2] == ["催件", "改地址"]
    box = card.bounding_box()
    assert box and box["width"] <= 460, box  # a card, not a full-width table, on a wide screen
    screenshot(page, "tracking_card_traditional_desktop")

    send(page, "4444")
    page.wait_for_function("document.querySelectorAll('.card').length >= 2")
    call = latest_card(page).locator(".card-courier a")
    assert call.count() == 1 and (call.get_attribute("href") or "").startswith("tel:1")
    send(page, tap="催件")
    reply = bot_rows(page).last.inner_text()
    assert detect_script(reply) == "traditional" and "正常時效內" in reply, reply
    screenshot(page, "tracking_card_traditional_hurry_desktop")
