"""WeChat Official Account channel, end to end: WeChat's side played by wechatpy, the real Rasa server.

The account the shared `stack` runs with, and the `wechat` / `wechat_api` fixtures, are in wechat_account.py.
The account runs in compatible mode, so plaintext and AES messages both arrive.
Replies that miss the passive window arrive through the fake customer-service API; `converse` accepts
either, as WeChat would show both to the customer.
"""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from bot.vocabulary.script import detect_script, to_simplified, to_traditional
from tests.wechat_side import (
    ACCOUNT,
    BILLION_LAUGHS,
    XXE,
    event_xml,
    image_xml,
    new_openid,
    text_xml,
    voice_xml,
)

pytestmark = pytest.mark.e2e


def user_events(stack, sender_id: str) -> list[dict]:
    reply = requests.get(f"{stack.rasa_url}/conversations/{sender_id}/tracker", params=stack.rasa_auth, timeout=30)
    reply.raise_for_status()
    return [e for e in reply.json().get("events", []) if e.get("event") == "user"]


def test_server_verification(wechat):
    params = {**wechat.signed("verify1"), "echostr": "7623848123"}
    reply = requests.get(wechat.url, params=params, timeout=10)
    assert reply.status_code == 200 and reply.text == "7623848123"
    params["signature"] = "0" * 40
    assert requests.get(wechat.url, params=params, timeout=10).status_code == 403


def test_bad_signature_is_refused_and_nothing_processed(stack, wechat):
    openid = new_openid()
    reply = wechat.post(text_xml(openid, "你好", wechat.next_msg_id()), openid=openid, bad_signature=True)
    assert reply.status_code == 403
    reply = wechat.post(text_xml(openid, "你好", wechat.next_msg_id()), aes=True, openid=openid, bad_signature=True)
    assert reply.status_code == 403
    assert user_events(stack, f"wx:{openid}") == []


@pytest.mark.parametrize("template", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "xxe"])
def test_hostile_xml_is_rejected_and_nothing_processed(stack, wechat, template):
    openid = new_openid()
    body = template.format(account=ACCOUNT, openid=openid)
    assert wechat.post(body, openid=openid).status_code == 400
    assert wechat.post(body, aes=True, openid=openid).status_code == 400  # hidden inside the encryption too
    assert wechat.post("<xml><ToUserName>broken", openid=openid).status_code == 400
    assert user_events(stack, f"wx:{openid}") == []


def test_plaintext_message_gets_a_reply(stack, wechat):
    openid = new_openid()
    answer = wechat.converse(openid, text_xml(openid, "你好", wechat.next_msg_id()))
    assert answer.strip()
    assert [e["text"] for e in user_events(stack, f"wx:{openid}")] == ["你好"]


def test_aes_round_trip(stack, wechat):
    openid = new_openid()
    answer = wechat.converse(openid, text_xml(openid, "寄一个5公斤的包裹到北京多少钱", wechat.next_msg_id()), aes=True)
    assert answer.strip()
    assert [e["text"] for e in user_events(stack, f"wx:{openid}")] == ["寄一个5公斤的包裹到北京多少钱"]


def test_retries_with_the_same_msgid_are_processed_once(stack, wechat):
    openid = new_openid()
    body = text_xml(openid, "我要查件", wechat.next_msg_id())
    with ThreadPoolExecutor(max_workers=3) as pool:
        responses = list(pool.map(lambda _: wechat.post(body, openid=openid), range(3)))
    retry_later = wechat.post(body, openid=openid)
    assert all(r.status_code == 200 for r in [*responses, retry_later])
    passive = {wechat.passive_text(r) for r in [*responses, retry_later]} - {None}
    assert len(passive) <= 1, "every retry must get the same reply"
    time.sleep(1.0)
    assert [e["text"] for e in user_events(stack, f"wx:{openid}")] == ["我要查件"]
    if not passive:  # the reply missed the window: it went through the API, once
        assert len(wechat.api.wait_for_texts(openid, 1)) >= 1


def test_subscribe_welcomes_and_unsubscribe_is_quiet(stack, wechat):
    openid = new_openid()
    welcome = wechat.converse(openid, event_xml(openid, "subscribe"))
    for service in ("查件", "报价", "上门取件", "投诉", "理赔", "常见问题", "转人工"):
        assert service in welcome
    reply = wechat.post(event_xml(openid, "unsubscribe"), openid=openid)
    assert reply.status_code == 200 and reply.text == "success"


def test_images_reach_the_assistant_with_their_url(stack, wechat):
    openid = new_openid()
    pic = "http://mmbiz.qpic.cn/e2e/damaged-box.jpg"
    wechat.converse(openid, image_xml(openid, pic, "media-e2e-1", wechat.next_msg_id()))
    events = user_events(stack, f"wx:{openid}")
    assert len(events) == 1
    assert events[0]["metadata"]["image_url"] == pic and events[0]["metadata"]["media_id"] == "media-e2e-1"


def test_voice_gets_a_polite_note(stack, wechat):
    openid = new_openid()
    note = wechat.converse(openid, voice_xml(openid, wechat.next_msg_id()))
    assert "抱歉" in note and "文字" in note
    assert user_events(stack, f"wx:{openid}") == []


def _assert_traditional(texts: list[str]) -> None:
    scripts = {detect_script(t) for t in texts if t.strip()}
    assert scripts and "simplified" not in scripts, texts
    assert "traditional" in scripts, texts


def test_traditional_customer_gets_traditional_replies_on_wechat(wechat):
    openid = new_openid()
    first = wechat.converse(openid, text_xml(openid, "請問寄件的運費怎麼計算", wechat.next_msg_id()))
    _assert_traditional([first])
    assert "運費" in first and "6000" in first, first  # the pricing FAQ, converted
    second = wechat.converse(openid, text_xml(openid, "好的，謝謝", wechat.next_msg_id()))
    assert detect_script(second) != "simplified", second


def test_traditional_customer_gets_traditional_replies_on_rest(stack):
    sender = f"rest-trad-{uuid.uuid4().hex[:8]}"
    replies = stack.rest_turn(sender, "請問寄件的運費怎麼計算")
    _assert_traditional([m.get("text", "") for m in replies])
    assert any("運費" in m.get("text", "") and "6000" in m.get("text", "") for m in replies), replies
    titles = [b["title"] for m in replies for b in m.get("buttons") or []]
    assert all(detect_script(t) != "simplified" for t in titles), titles
    # A neutral message keeps the customer's script.
    replies = stack.rest_turn(sender, "好的")
    assert all(detect_script(m.get("text", "")) != "simplified" for m in replies), replies
    # Simplified customers are untouched.
    replies = stack.rest_turn(f"rest-simp-{uuid.uuid4().hex[:8]}", "客服几点上班")
    assert replies and all(detect_script(m.get("text", "")) != "traditional" for m in replies), replies
    assert any("8:00" in m.get("text", "") for m in replies), replies  # the service-hours FAQ
    # The agents' hours come from the settings (round the clock in this stack), not from the answer's text.
    assert any("人工客服每天 24 小时 在线" in m.get("text", "") for m in replies), replies


def test_hong_kong_customer_gets_hong_kong_conventions(stack):
    replies = stack.rest_turn(f"rest-hk-{uuid.uuid4().hex[:8]}", "客服幾點上班呀，我想搵人工")
    texts = [m.get("text", "") for m in replies]
    _assert_traditional(texts)
    assert all(to_traditional(to_simplified(t), "hk") == t for t in texts), texts


def test_proactive_messages_reach_the_wechat_customer_in_their_script(stack, wechat):
    """The path parcel notices take: Rasa's trigger-intent API with the chat's own output channel."""
    openid = new_openid()
    wechat.converse(openid, text_xml(openid, "客服幾點上班", wechat.next_msg_id()))
    before = len(wechat.api.texts_to(openid))
    reply = requests.post(
        f"{stack.rasa_url}/conversations/wx:{openid}/trigger_intent",
        params={"output_channel": "latest", **stack.rasa_auth},
        json={"name": "greet"},
        timeout=60,
    )
    assert reply.status_code == 200, reply.text
    texts = wechat.api.wait_for_texts(openid, before + 1, timeout=30)[before:]
    assert texts, "the proactive message did not reach WeChat's customer-service API"
    _assert_traditional(texts)
