"""Issue 16, point 8: the console speaks the agent's language and does not end a service by a slip of the mouse.

What the assistant collected shows with Chinese labels and readable values (not `tracking_number`,
`customer_vip false`, "意图 file_claim"); "结束服务" asks first; no button wraps its label at 1280 px.
"""

from __future__ import annotations

import re
import uuid

import pytest
import yaml
from playwright.sync_api import Browser, Page

from actions.handoff import SLOTS_FOR_AGENT
from bot.console.labels import INTENT_LABELS, SLOT_LABELS, intent_text, slot_lines, value_text
from tests.bot.console.conftest import PASSWORD, open_handoff
from tests.support import ROOT, screenshot

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
ENGLISH_NAME = re.compile(r"\b[a-z]+_[a-z_]+\b")
SLOTS = {"tracking_number": "ZT100000000003", "customer_vip": False, "claim_type": "damage", "claim_amount": 50000,
         "claim_tracking_number": "ZT100000000003", "phone": "138****5678", "weight": 3.5,
         "service_level": "express", "complaint_category": "delay"}


def _intent_names() -> list[str]:
    return [next(iter(item)) if isinstance(item, dict) else item for item in DOMAIN["intents"]]


def test_every_slot_the_agent_gets_and_every_intent_has_a_chinese_label() -> None:
    assert not [slot for slot in SLOTS_FOR_AGENT if slot not in SLOT_LABELS]
    assert not [intent for intent in _intent_names() if intent not in INTENT_LABELS]
    assert intent_text("file_claim") == "申请理赔" and intent_text(None) is None


def test_values_read_as_words() -> None:
    assert value_text("customer_vip", False) == "否" and value_text("customer_vip", True) == "是"
    assert value_text("claim_amount", 50000) == "¥500.00"
    assert value_text("claim_type", "damage") == "破损"
    assert value_text("complaint_category", "delay") == "快件延误"
    assert value_text("service_level", "express") == "特快专递"
    assert value_text("weight", 3.5) == "3.5 公斤"
    lines = slot_lines({"item": "衣服", "tracking_number": "ZT1", "new_slot": "x", "origin": None})
    assert [line["label"] for line in lines] == ["快递单号", "物品", "new_slot"]


def agent_page(browser: Browser, base_url: str, username: str, width: int = 1280) -> Page:
    page = browser.new_context(viewport={"width": width, "height": 800}, locale="zh-CN").new_page()
    page.goto(f"{base_url}/console/")
    page.wait_for_url("**/console/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    page.wait_for_url("**/console/")
    return page


def wrapped_buttons(page: Page) -> list[str]:
    """Visible buttons whose label takes more than one line or overflows its box."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('button')).filter(b => {
        const box = b.getBoundingClientRect();
        if (!box.width || !box.height || getComputedStyle(b).visibility === 'hidden') { return false; }
        const range = document.createRange();
        range.selectNodeContents(b);
        const lines = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top)));
        return lines.size > 1 || b.scrollWidth > b.clientWidth + 1;
    }).map(b => b.id || b.textContent.trim())""")


@pytest.mark.browser
def test_the_agent_reads_labels_and_values_confirms_the_end_and_no_button_wraps(browser: Browser,
                                                                                  desk_backend) -> None:
    conversation = f"labels-{uuid.uuid4().hex[:8]}"
    created = open_handoff(desk_backend, conversation, intent="file_claim", slots=SLOTS,
                           transcript=[{"role": "user", "text": "我要理赔，东西摔坏了", "at": 1.0}])
    page = agent_page(browser, desk_backend.base_url, "li")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    item = page.locator(f'#waiting li[data-handoff-id="{created["handoff_id"]}"]')
    item.wait_for(timeout=10_000)
    item.click()
    page.locator("#slots dt").first.wait_for(timeout=10_000)

    page.locator("#me", has_text="李娜").wait_for(timeout=10_000)
    assert "general" not in page.locator("#me").inner_text(), page.locator("#me").inner_text()
    meta = page.locator("#chat-meta").inner_text()
    assert "申请理赔" in meta and "file_claim" not in meta and "意图" not in meta, meta
    shown = page.locator("#slots").inner_text()
    for words in ("快递单号", "重点客户", "否", "理赔类型", "破损", "申请赔偿", "¥500.00", "3.5 公斤", "特快专递",
                  "快件延误"):
        assert words in shown, (words, shown)
    assert not ENGLISH_NAME.findall(shown), shown
    assert "false" not in shown.lower() and "50000" not in shown
    assert not wrapped_buttons(page)

    page.click("#accept")
    page.locator("#end:visible").wait_for(timeout=10_000)
    assert not wrapped_buttons(page), wrapped_buttons(page)
    screenshot(page, "console-readable-1280")

    # "结束服务" asks first; "继续服务" keeps the conversation.
    page.click("#end")
    dialog = page.locator("#end-dialog")
    dialog.wait_for(state="visible", timeout=5_000)
    assert "确定结束" in dialog.inner_text()
    screenshot(page, "console-end-confirm")
    page.click("#end-cancel")
    dialog.wait_for(state="hidden", timeout=5_000)
    assert desk_backend.get(f"/handoffs/by-conversation/{conversation}").json()["status"] == "active"
    assert page.locator("#end").is_visible()

    page.click("#end")
    page.click("#end-confirm")
    page.locator("#end").wait_for(state="hidden", timeout=10_000)
    assert desk_backend.get(f"/handoffs/by-conversation/{conversation}").json()["status"] is None
    assert not errors, errors
    page.context.close()
