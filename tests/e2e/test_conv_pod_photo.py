"""The sign-off photo end to end: after verification the chat carries a signed link that opens the photo in the
customer's browser (no API key); without its token, or before verification, nothing is shown."""

from __future__ import annotations

import uuid

import pytest
import requests

from tests.e2e.flows2_chat import tw

pytestmark = pytest.mark.e2e


def _turn(stack, sender: str, text: str) -> tuple[str, list[str]]:
    replies = stack.rest_turn(sender, text)
    return "\n".join(r.get("text") or "" for r in replies), [r["image"] for r in replies if r.get("image")]


def test_the_verified_customer_sees_the_photo_and_only_with_its_token(stack) -> None:
    sender = f"pod-photo-{uuid.uuid4().hex[:10]}"
    shown, images = _turn(stack, sender, "帮我查下快递 ZT100000000002")
    assert "已签收" in shown and not images, shown
    shown, images = _turn(stack, sender, "1234")
    assert "签收人" in shown and "签收照片见下图" in shown, shown
    [url] = images
    assert url.startswith(f"{stack.backend_url}/pod/ZT100000000002.") and "?token=" in url
    photo = requests.get(url, timeout=10)
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/png"
    assert photo.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert requests.get(url.split("?")[0], timeout=10).status_code == 403
    token = url.split("?token=")[1]
    assert requests.get(f"{stack.backend_url}/pod/ZT100000000007.png?token={token}", timeout=10).status_code == 403


def test_a_traditional_customer_gets_the_photo_line_in_traditional(stack) -> None:
    sender = f"pod-photo-tw-{uuid.uuid4().hex[:10]}"
    _turn(stack, sender, "幫我查一下快遞 ZT100000000002")
    shown, images = _turn(stack, sender, "1234")
    assert tw("签收照片见下图") in shown and len(images) == 1, shown
