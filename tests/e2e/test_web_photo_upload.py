"""Issue 16, point 1, in a real browser against the real stack: a claim filed in the web chat with a photo sent by
the 📷 button reaches the backend as the claim's evidence; a file that is no photo gets a clear refusal and is not
sent to the conversation; photos dropped on the chat or pasted into the box after filing join the claim; when the
customer then asks for a person, the agent sees the photos in the console. The page sends each photo with the
session's token; the session id alone, as an agent or a log sees it, sends no photo to that chat.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator

import pytest
import requests
from playwright.sync_api import Browser, Page

from tests.e2e.flows2_chat import fresh_phone
from tests.e2e.test_handoff import console_login
from tests.e2e.test_web_chat import REPLY_TIMEOUT_MS, bot_rows, open_chat, say, settle, user_events
from tests.e2e.test_web_ux import new_page
from tests.support import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.browser]



def png(width: int = 240, height: int = 160) -> bytes:
    """A real PNG (a parcel-brown box on blue), big enough to be seen in the screenshots."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(
        b"\x00" + b"".join(bytes((176, 124, 72)) if width // 4 < x < 3 * width // 4 and height // 4 < y < 3 * height // 4
                           else bytes((11, 107, 203)) for x in range(width)) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


PNG = png()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    yield from new_page(browser)


def choose_photo(page: Page, name: str, mime_type: str, content: bytes) -> None:
    """Tap the 📷 button and pick a file in the chooser it opens, as a customer would."""
    with page.expect_file_chooser() as chooser:
        page.click("#photo")
    chooser.value.set_files(files=[{"name": name, "mimeType": mime_type, "buffer": content}])


def put_photo(page: Page, how: str, content: bytes) -> None:
    """Drop a photo on the chat, or paste it into the message box, as the browser would deliver it."""
    page.evaluate("""([how, bytes]) => {
        const file = new File([new Uint8Array(bytes)], "pasted.png", {type: "image/png"});
        const data = new DataTransfer();
        data.items.add(file);
        if (how === "drop") {
            const chat = document.querySelector("main.chat");
            chat.dispatchEvent(new DragEvent("dragover", {dataTransfer: data, bubbles: true, cancelable: true}));
            chat.dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true, cancelable: true}));
        } else {
            const paste = new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true});
            document.getElementById("input").dispatchEvent(paste);
        }
    }""", [how, list(content)])


def send_photo(page: Page, content: bytes) -> list[str]:
    before = bot_rows(page).count()
    choose_photo(page, "parcel.png", "image/png", content)
    bot_rows(page).nth(before).wait_for(timeout=REPLY_TIMEOUT_MS)
    settle(page, before + 1)
    return [row.inner_text() for row in bot_rows(page).all()[before:]]


def test_a_claim_filed_in_the_web_chat_with_a_photo_from_the_button(stack, browser: Browser, page: Page) -> None:
    session_id = open_chat(page, stack)
    phone = fresh_phone()
    assert any("快递单号" in reply for reply in say(page, "我要理赔"))
    say(page, "ZT100000000002")
    say(page, "破损")
    say(page, "没有保价")
    say(page, "300元")
    say(page, "杯子碎了两个，外箱也压扁了")
    assert any("照片" in reply for reply in say(page, phone)), page.locator(".row .text").all_inner_texts()

    # Not a photo: the server's refusal is shown, nothing reaches the conversation.
    sent_before = len(user_events(stack, session_id))
    choose_photo(page, "notes.png", "image/png", b"these are not the bytes of a photo")
    refusal = page.locator(".row-system .text").last
    refusal.wait_for(timeout=REPLY_TIMEOUT_MS)
    assert "不是有效的图片" in refusal.inner_text()
    assert len(user_events(stack, session_id)) == sent_before

    # Someone who knows the session id only (the console and the logs show it) cannot add photos to this chat.
    for script, words in (("", "刷新聊天页面"), ("?script=tw", "刷新聊天頁面")):
        stranger = requests.post(f"{stack.backend_url}/chat/uploads{script}", data=PNG, timeout=15,
                                 headers={"Content-Type": "image/png", "X-Chat-Session": session_id})
        assert stranger.status_code == 403, stranger.text
        assert stranger.json()["detail"]["code"] == "session_unverified"
        assert words in stranger.json()["detail"]["message"], stranger.json()
    assert not (stack.var_dir / "chat-uploads" / session_id).exists()

    token = page.evaluate("() => localStorage.getItem('courier.chat.session_token')")
    with page.expect_request(lambda request: request.url.endswith("/chat/uploads")) as upload:
        replies = send_photo(page, PNG)
    assert token and upload.value.headers.get("x-chat-session-token") == token
    assert any("已收到 1 张照片" in reply for reply in replies), replies
    bubble = page.locator(".row-user img.image").last
    assert bubble.is_visible() and page.locator(".row-user .text").last.inner_text() == "已发送图片"
    screenshot(page, "web_chat_claim_photo_uploaded")

    summary = " ".join(say(page, "好了"))
    assert "1 张" in summary, summary
    filed = " ".join(say(page, "确认"))
    number = re.search(r"CL\d{12}", filed)
    assert number and "1 张照片" in filed, filed
    screenshot(page, "web_chat_claim_photo_filed")

    photo_event = [event for event in user_events(stack, session_id) if event["text"] == "[图片]"]
    assert len(photo_event) == 1 and photo_event[0]["metadata"]["image_url"].startswith(f"chat-upload:{session_id}/")
    claim = requests.get(f"{stack.backend_url}/api/v1/claims/{number.group(0)}", timeout=15,
                         headers={"X-API-Key": stack.api_key, "X-Conversation-Id": session_id}).json()
    assert claim["evidence_count"] == 1, claim
    [stored] = list((stack.var_dir / "evidence" / number.group(0)).iterdir())
    assert stored.read_bytes() == PNG

    say(page, "5")
    # After filing, more photos by dropping one on the chat and pasting one into the box: each joins the claim.
    for how in ("drop", "paste"):
        before = bot_rows(page).count()
        put_photo(page, how, png(160 + len(how), 120))
        page.locator(".row-bot .text", has_text="照片已补充到理赔单").nth(0 if how == "drop" else 1).wait_for(
            timeout=REPLY_TIMEOUT_MS)
        settle(page, before + 1)
    claim = requests.get(f"{stack.backend_url}/api/v1/claims/{number.group(0)}", timeout=15,
                         headers={"X-API-Key": stack.api_key, "X-Conversation-Id": session_id}).json()
    assert claim["evidence_count"] == 3, claim

    # The customer asks for a person: the agent sees the claim's photos beside the conversation.
    say(page, "转人工")
    # bypass_csp: the test's own probe below polls in the page; the console has its strict CSP anyway.
    agent = browser.new_context(viewport={"width": 1360, "height": 860}, locale="zh-CN", bypass_csp=True).new_page()
    agent_errors: list[str] = []
    agent.on("pageerror", lambda error: agent_errors.append(str(error)))
    console_login(agent, stack)
    agent.locator(f'#waiting li[data-conversation-id="{session_id}"]').click(timeout=REPLY_TIMEOUT_MS)
    photo = agent.locator("#photos img").first
    photo.wait_for(timeout=REPLY_TIMEOUT_MS)
    agent.wait_for_function("() => [...document.querySelectorAll('#photos img')].every("
                            "img => img.complete && img.naturalWidth > 0)", timeout=REPLY_TIMEOUT_MS)
    assert agent.locator("#photos img").count() == 3
    assert number.group(0) in agent.locator("#photos").inner_text()
    screenshot(agent, "web_chat_claim_photo_console")
    agent.context.close()
    assert not agent_errors, agent_errors
