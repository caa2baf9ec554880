"""The review page in Debian's Chromium: a supervisor finds it in the top bar, sees the misread messages grouped
and masked, labels a whole group and one message with an entity selected in its text, and exports the result;
an agent sees neither the link nor the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.bot.console.test_console_browser import agent_page
from tests.bot.console.test_review import (  # noqa: F401 - the fixture, started for this module
    PHONE,
    review_backend,
)
from tests.support import screenshot


def select_text(page, row, fragment: str) -> None:
    """Select `fragment` inside the row's message text, as a supervisor's mouse would."""
    row.locator(".review-text").evaluate("""(node, fragment) => {
        const text = node.firstChild, start = text.textContent.indexOf(fragment);
        const range = document.createRange();
        range.setStart(text, start);
        range.setEnd(text, start + fragment.length);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
    }""", fragment)


@pytest.mark.browser
def test_a_supervisor_labels_and_exports_misread_messages(browser: Browser, review_backend) -> None:  # noqa: F811
    base = review_backend.base_url
    page = agent_page(browser, base, "lead")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    link = page.locator("nav a.nav-supervisor")
    expect(link).to_be_visible(timeout=10_000)
    link.click()
    page.wait_for_url("**/console/review")
    groups = page.locator(".review-group")
    expect(groups).to_have_count(2, timeout=30_000)  # the consumer's first passes
    body = page.locator("main").inner_text()
    assert PHONE not in body and "139****4321" in body and "北京市朝阳区***" in body and "建国路88号" not in body
    dog = groups.filter(has_text="2 条")
    expect(dog.locator(".review-head")).to_contain_text("小狗")
    screenshot(page, "console-review-desktop")

    # The model read no intent it knows: nothing is chosen for the supervisor, and nothing saved unchosen.
    assert dog.locator(".review-head select").input_value() == ""
    dog.locator(".review-head button").click()
    expect(page.locator("#status")).to_have_text("请先选择意图。")
    dog.locator(".review-head select").select_option("faq/refuse_parcel")
    dog.locator(".review-head button").click()
    expect(page.locator("#status")).to_have_text("已保存 2 条。")
    expect(groups).to_have_count(1)

    row = page.locator(".review-message")
    select_text(page, row, "北京")
    row.locator("select").nth(1).select_option("city:destination")
    row.get_by_role("button", name="标记所选文字").click()
    expect(row.locator(".review-entities")).to_contain_text("北京 → city:destination")
    row.locator("select.review-intent").select_option("schedule_pickup")
    screenshot(page, "console-review-entity-desktop")
    row.get_by_role("button", name="保存").click()
    expect(page.locator("#groups")).to_contain_text("这段时间没有待复核的消息。")

    page.get_by_role("button", name="写入训练数据（data/nlu/reviewed.yml）").click()
    expect(page.locator("#status")).to_have_text("已写入 3 条样例，重新训练后生效。")
    with page.expect_download() as download:
        page.click("#download")
    exported = open(download.value.path(), encoding="utf-8").read()
    assert '[北京]{"entity": "city", "role": "destination"}' in exported and PHONE not in exported
    assert not errors, errors
    page.context.close()

    agent = agent_page(browser, base, "li")
    expect(agent.locator("#me")).not_to_be_empty(timeout=10_000)
    assert not agent.locator("nav a.nav-supervisor").is_visible()
    assert agent.goto(f"{base}/console/review").status == 403
    agent.context.close()
