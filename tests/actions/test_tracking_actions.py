"""Tracking actions against the real backend: summaries, several numbers, apology, verification and its lock."""

from __future__ import annotations

import requests

from actions.tracking import ActionTrackParcel, ActionVerifyParcel, ValidateTrackingForm, tracking_numbers_in
from bot.backend.seed import DEMO_PARCELS
from bot.clients.backend import BackendClient
from tests.actions.action_helpers import entity, make_tracker, run, slot_events, texts, user

BY_STATUS = {p.status: p for p in reversed(DEMO_PARCELS)}  # the first demo parcel of each status
IN_TRANSIT = BY_STATUS["in_transit"]


def track(text: str, numbers: list[str] | None = None) -> tuple[list, list]:
    message = user(text, "track_parcel", [entity("tracking_number", n, text) for n in numbers or []])
    return run(ActionTrackParcel(), make_tracker(latest=message))


def test_summary_shows_status_city_eta_and_offers_verification(client: BackendClient) -> None:
    messages, events = track(f"帮我查下 {IN_TRANSIT.number}", [IN_TRANSIT.number])
    shown = texts(messages)
    assert IN_TRANSIT.number in shown and "运输中" in shown
    assert f"当前所在：{IN_TRANSIT.current_city}" in shown and "预计送达" in shown and "最新动态" in shown
    assert "后 4 位" in shown
    assert IN_TRANSIT.sender_phone not in shown and IN_TRANSIT.receiver_phone not in shown
    assert slot_events(events) == {"tracking_number": IN_TRANSIT.number, "awaiting_verification": True}


def test_every_number_in_one_message_is_answered(client: BackendClient) -> None:
    delivered = BY_STATUS["delivered"].number
    text = f"{IN_TRANSIT.number}和{delivered.lower()}这两个件到哪了"
    messages, events = track(text)  # found in the text even without NLU entities
    shown = texts(messages)
    assert IN_TRANSIT.number in shown and delivered in shown and "已签收" in shown
    assert slot_events(events)["tracking_number"] == IN_TRANSIT.number


def test_delayed_parcel_gets_apology_and_complaint_or_claim_offer(client: BackendClient) -> None:
    delayed = BY_STATUS["delayed"].number
    messages, events = track(delayed, [delayed])
    assert "抱歉" in texts(messages)
    payloads = [b["payload"] for m in messages for b in m.get("buttons") or []]
    assert payloads == ["/file_complaint", "/file_claim"]
    assert slot_events(events)["tracking_number"] == delayed  # carried over to the complaint or claim


def test_exception_parcel_gets_apology(client: BackendClient) -> None:
    broken = BY_STATUS["exception"].number
    messages, _ = track(broken, [broken])
    assert "异常" in texts(messages) and "抱歉" in texts(messages)


def test_unknown_number_is_said_politely(client: BackendClient) -> None:
    messages, events = track("ZT999999999999", ["ZT999999999999"])
    assert "没有查到单号 ZT999999999999" in texts(messages)
    assert slot_events(events) == {"awaiting_verification": False}


def test_malformed_number_gets_a_format_hint() -> None:
    tracker = make_tracker(latest=user("查件 ZT12345", "track_parcel"))
    valid, malformed = tracking_numbers_in(tracker)
    assert valid == [] and malformed == ["ZT12345"]
    dispatcher_messages, events = run(ValidateTrackingForm(), tracker)
    assert "ZT 加 12 位数字" in texts(dispatcher_messages)
    assert slot_events(events)["tracking_number"] is None


def test_a_number_that_is_no_number_asked_directly_gets_the_hint_not_a_look_up() -> None:
    # the entity extractor took "ZT12345" for a number; the action answers it without the form in between
    text = "查件 ZT12345"
    message = user(text, "track_parcel", [entity("tracking_number", "ZT12345", text)])
    messages, events = run(ActionTrackParcel(), make_tracker(latest=message, after={"tracking_number": "ZT12345"}))
    assert "ZT 加 12 位数字" in texts(messages)
    assert slot_events(events) == {"tracking_number": None, "awaiting_verification": False}


def test_new_request_without_number_asks_instead_of_reusing_the_last_one() -> None:
    tracker = make_tracker(slots={"tracking_number": IN_TRANSIT.number}, latest=user("再帮我查个快递", "track_parcel"))
    _, events = run(ValidateTrackingForm(), tracker)
    assert slot_events(events)["tracking_number"] is None


def test_phone_number_is_not_taken_for_a_tracking_number() -> None:
    valid, malformed = tracking_numbers_in(make_tracker(latest=user("我手机13812345678")))
    assert valid == [] and malformed == []


def verify(text: str, number: str, failures: dict | None = None) -> tuple[list, list]:
    slots = {"tracking_number": number, "awaiting_verification": True, "verification_failures": failures or {}}
    return run(ActionVerifyParcel(), make_tracker(slots=slots, latest=user(text)))


def test_right_last4_shows_details_with_masked_phones(client: BackendClient) -> None:
    parcel = BY_STATUS["delivered"]
    messages, events = verify(f"尾号{parcel.receiver_phone[-4:]}", parcel.number)
    shown = texts(messages)
    assert "完整信息" in shown and "收件人" in shown and "物流轨迹" in shown and "签收人" in shown
    assert parcel.receiver_phone not in shown
    assert f"{parcel.receiver_phone[:3]}****{parcel.receiver_phone[-4:]}" in shown
    assert slot_events(events) == {"awaiting_verification": False}


def test_the_sign_off_photo_comes_as_a_signed_link_that_opens_only_with_its_token(client: BackendClient) -> None:
    parcel = BY_STATUS["delivered"]
    messages, _ = verify(parcel.sender_phone[-4:], parcel.number)
    [details] = [m for m in messages if "签收人" in (m.get("text") or "")]
    assert "签收照片见下图" in details["text"] and "分钟内有效" in details["text"]
    url = details["image"]
    assert url.startswith(client.base_url + f"/pod/{parcel.number}.") and "token=" in url
    photo = requests.get(url, timeout=10)  # the customer's browser: no API key
    assert photo.status_code == 200 and photo.content.startswith(b"\x89PNG")
    assert requests.get(url.split("?")[0], timeout=10).status_code == 403


def test_no_photo_line_for_a_parcel_not_yet_delivered(client: BackendClient) -> None:
    messages, _ = verify(IN_TRANSIT.sender_phone[-4:], IN_TRANSIT.number)
    assert "物流轨迹" in texts(messages) and "签收照片" not in texts(messages)
    assert not any(m.get("image") for m in messages)


def test_three_wrong_tries_lock_the_parcel_for_the_conversation(client: BackendClient) -> None:
    number = IN_TRANSIT.number
    failures: dict = {}
    for left in (2, 1):
        messages, events = verify("0000", number, failures)
        assert f"再试 {left} 次" in texts(messages)
        failures = slot_events(events)["verification_failures"]
    messages, events = verify("0000", number, failures)
    assert "上限" in texts(messages)
    failures = slot_events(events)["verification_failures"]
    assert failures == {number: 3} and slot_events(events)["awaiting_verification"] is False
    # even the right digits are refused now, and the lock is remembered by the next tracking answer
    messages, _ = verify(IN_TRANSIT.sender_phone[-4:], number, failures)
    assert "上限" in texts(messages) and "物流轨迹" not in texts(messages)
    tracker = make_tracker(slots={"verification_failures": failures},
                           latest=user(number, "track_parcel", [entity("tracking_number", number, number)]))
    messages, events = run(ActionTrackParcel(), tracker)
    assert "后 4 位" not in texts(messages)
    assert slot_events(events)["awaiting_verification"] is False


def test_no_digits_asks_for_them_without_counting_a_try(client: BackendClient) -> None:
    messages, events = verify("我不记得了", IN_TRANSIT.number)
    assert "后 4 位" in texts(messages)
    assert events == [{"event": "followup", "name": "action_listen", "timestamp": None}]  # no slot changed


def test_backend_down_apologises_and_offers_a_person(dead_client: BackendClient) -> None:
    messages, _ = track(IN_TRANSIT.number, [IN_TRANSIT.number])
    assert "抱歉" in texts(messages) and "转人工" in texts(messages)
    messages, events = verify("5678", IN_TRANSIT.number)
    assert "转人工" in texts(messages)
    assert "verification_failures" not in slot_events(events)  # a down backend never costs a try


def test_a_new_number_instead_of_the_digits_is_tracked(client: BackendClient) -> None:
    delivered = BY_STATUS["delivered"].number
    messages, events = verify(delivered, IN_TRANSIT.number)
    assert "已签收" in texts(messages) and delivered in texts(messages)
    assert slot_events(events)["tracking_number"] == delivered
