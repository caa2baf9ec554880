"""Claim form answers, the cap the backend applies, evidence photos, the manual-review limit and status."""

from __future__ import annotations

import asyncio
import http.server
import threading
import uuid
from collections.abc import Iterator

import pytest

from actions.claims import (
    ActionAskClaimConfirmed,
    ActionClaimStatus,
    ActionSubmitClaim,
    ValidateClaimForm,
    ValidateClaimStatusForm,
    parse_yuan_to_fen,
    type_from_text,
)
from bot.clients.backend import BackendClient
from bot.settings import get_settings
from tests.actions.action_helpers import DOMAIN, make_tracker, run, slot_events, texts, user

# A 1×1 PNG: the smallest real photo the backend accepts.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
UNINSURED = {
    "claim_tracking_number": "ZT100000000002", "claim_type": "damage", "claim_insured": False,
    "claim_amount": 30000, "claim_description": "外箱压坏，杯子碎了", "claim_phone": "13600001234",
    "claim_evidence": "done",
}


@pytest.fixture(autouse=True)
def local_photos(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # The test photos are served on this machine, where the action server fetches nothing by default.
    monkeypatch.setenv("PHOTO_FETCH_ALLOW_PRIVATE", "1")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def photo_url() -> Iterator[str]:
    class Photo(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(PNG)))
            self.end_headers()
            self.wfile.write(PNG)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Photo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/photo.png"
    server.shutdown()


def answer(text: str, requested: str | None, slots: dict | None = None, intent: str = "inform",
           metadata: dict | None = None):
    latest = user(text, intent)
    if metadata:
        latest["parse_data"]["metadata"] = metadata
    tracker = make_tracker(slots={"requested_slot": requested, **(slots or {})}, latest=latest,
                           active_loop="claim_form")
    messages, events = run(ValidateClaimForm(), tracker)
    return texts(messages), slot_events(events)


def test_amounts_in_the_ways_customers_write_them() -> None:
    assert parse_yuan_to_fen("2000") == 200000
    assert parse_yuan_to_fen("大概1,500.5元") == 150050
    assert parse_yuan_to_fen("2千") == 200000
    assert parse_yuan_to_fen("1.5万") == 1500000
    assert parse_yuan_to_fen("两千五百") == 250000
    assert parse_yuan_to_fen("不知道") is None
    assert type_from_text("少了两件") == "missing"


def test_the_form_asks_only_what_applies() -> None:
    async_required = ValidateClaimForm().required_slots
    slots = DOMAIN["forms"]["claim_form"]["required_slots"]
    uninsured = make_tracker(slots={"claim_insured": False, "claim_type": "damage"})
    needed = asyncio.run(async_required(slots, None, uninsured, DOMAIN))
    assert "claim_declared_value" not in needed and "claim_evidence" in needed
    delay = make_tracker(slots={"claim_insured": True, "claim_type": "delay"})
    needed = asyncio.run(async_required(slots, None, delay, DOMAIN))
    assert "claim_declared_value" in needed and "claim_amount" not in needed and "claim_evidence" not in needed


def test_answers_are_read_and_bad_ones_get_a_hint() -> None:
    assert answer("我要理赔 ZT100000000007 破了", None, intent="file_claim")[1] == {
        "claim_tracking_number": "ZT100000000007", "claim_type": "damage"}
    assert answer("没有保价", "claim_insured", intent="deny")[1]["claim_insured"] is False
    assert answer("保價了", "claim_insured")[1]["claim_insured"] is True
    shown, slots = answer("嗯…", "claim_insured")
    assert slots["claim_insured"] is None and "保价" in shown
    assert answer("5000元", "claim_declared_value", {"claim_insured": True})[1]["claim_declared_value"] == 500000
    shown, slots = answer("不清楚", "claim_amount")
    assert slots["claim_amount"] is None and "多少钱" in shown


def test_photos_are_collected_until_the_customer_is_done() -> None:
    shown, slots = answer("", "claim_evidence", metadata={"image_url": "http://example.invalid/a.jpg"})
    assert slots["claim_evidence"] is None and slots["claim_evidence_urls"] == ["http://example.invalid/a.jpg"]
    _, slots = answer("好了", "claim_evidence", {"claim_evidence_urls": ["x"]})
    assert slots["claim_evidence"] == "done"


def test_summary_and_corrections_at_the_summary() -> None:
    tracker = make_tracker(slots={**UNINSURED, "requested_slot": "claim_confirmed"})
    shown = texts(run(ActionAskClaimConfirmed(), tracker)[0])
    assert "136****1234" in shown and "¥300.00" in shown and "破损" in shown
    _, slots = answer("金额改成800", "claim_confirmed", UNINSURED, intent="deny")
    assert slots["claim_amount"] == 80000 and slots["claim_confirmed"] is None
    _, slots = answer("类型改成丢失", "claim_confirmed", UNINSURED)
    assert slots["claim_type"] == "loss"
    assert answer("确认", "claim_confirmed", UNINSURED, intent="affirm")[1]["claim_confirmed"] is True


def _submit(sender: str, slots: dict):
    tracker = make_tracker(slots={**slots, "claim_confirmed": True}, sender=sender)
    messages, events = run(ActionSubmitClaim(), tracker)
    return texts(messages), slot_events(events)


def test_an_uninsured_damage_claim_gets_the_freight_cap_and_the_photo(client: BackendClient, api,
                                                                      photo_url: str) -> None:
    shown, slots = _submit("cl-unit-1", {**UNINSURED, "claim_evidence_urls": [photo_url]})
    number = slots["last_claim_number"]
    assert number.startswith("CL") and number in shown
    assert "运费的 3 倍" in shown and "1 张照片" in shown and "3 个工作日" in shown
    assert slots["rating_due"] is True
    stored = api("GET", f"/api/v1/claims/{number}", headers=_as("cl-unit-1")).json()
    assert stored["claim_type"] == "damage" and stored["insured"] is False
    assert stored["cap_rule"] == "uninsured_freight_multiple" and stored["evidence_count"] == 1
    assert stored["needs_manual_review"] is False


def test_a_claim_over_the_limit_goes_to_a_specialist_and_is_recorded(client: BackendClient, api) -> None:
    insured = {**UNINSURED, "claim_tracking_number": "ZT100000000007", "claim_insured": True,
               "claim_declared_value": 500000, "claim_amount": 450000, "claim_phone": "13812345678"}
    shown, slots = _submit("cl-unit-review", insured)
    assert "理赔专员亲自审核" in shown and "¥2000.00" in shown and "138****5678" in shown
    assert "正在为您转接" not in shown
    stored = api("GET", f"/api/v1/claims/{slots['last_claim_number']}", headers=_as("cl-unit-review")).json()
    assert stored["needs_manual_review"] is True and stored["compensation_cap_fen"] == 500000
    kpi = api("GET", "/api/v1/reports/kpi").json()
    assert kpi["handoffs_by_reason"].get("claim_over_limit", 0) >= 1


def test_a_delay_claim_waives_the_freight(client: BackendClient, api) -> None:
    delay = {"claim_tracking_number": "ZT100000000003", "claim_type": "delay", "claim_insured": False,
             "claim_description": "晚了三天", "claim_phone": "13511112222"}
    shown, slots = _submit("cl-unit-delay", delay)
    assert "免除运费" in shown
    stored = api("GET", f"/api/v1/claims/{slots['last_claim_number']}", headers=_as("cl-unit-delay")).json()
    assert stored["cap_rule"] == "delay_freight_waived"


def test_backend_down_keeps_the_claim(dead_client, outbox) -> None:
    shown, slots = _submit("cl-unit-down", UNINSURED)
    assert "自动为您提交" in shown and slots["claim_pending"]["payload"]["claim_type"] == "damage"
    [kept] = outbox.claim()
    assert kept.key == slots["claim_pending"]["key"] and kept.payload["body"]["claim_type"] == "damage"
    assert slots["rating_due"] is False


def _as(sender: str) -> dict[str, str]:
    return {"X-Conversation-Id": sender}  # the chat that filed a claim sees its details


def _chat() -> str:
    return f"cl-chat-{uuid.uuid4().hex[:10]}"


def test_status_shows_the_payout_date_once_approved(client: BackendClient, api) -> None:
    _, slots = _submit("cl-unit-status", {**UNINSURED, "claim_phone": "13677778888"})
    number = slots["last_claim_number"]
    shown = texts(run(ActionClaimStatus(), make_tracker(slots={"claim_lookup": number}, sender="cl-unit-status"))[0])
    assert number in shown and "已受理" in shown and "最高可赔" in shown
    api("POST", f"/api/v1/claims/{number}/decision", json={"approved": True, "approved_amount_fen": 9000})
    shown = texts(run(ActionClaimStatus(), make_tracker(slots={"claim_lookup": number}, sender="cl-unit-status"))[0])
    assert "¥90.00" in shown and "前完成赔付" in shown and "周" in shown
    shown = texts(run(ActionClaimStatus(), make_tracker(slots={"claim_lookup": "CL731055281901"},
                                                        sender=_chat()))[0])
    assert "没有查到" in shown


@pytest.mark.security
def test_a_claim_number_from_another_chat_shows_no_amount_until_the_phone_digits(client: BackendClient,
                                                                                api) -> None:
    phone = "1981" + f"{uuid.uuid4().int % 10**7:07d}"
    _, slots = _submit(_chat(), {**UNINSURED, "claim_phone": phone})
    number = slots["last_claim_number"]
    api("POST", f"/api/v1/claims/{number}/decision", json={"approved": True, "approved_amount_fen": 9000})
    history: list = []
    form_slots: dict = {}
    sender = _chat()
    shown, found = _lookup_turn(history, form_slots, f"理赔单{number}到哪一步了", sender)
    assert number in shown and "已核准" in shown and "手机号的后 4 位" in shown, shown
    assert "¥" not in shown and "赔付" not in shown.replace("已核准，待付款", "") and "破损" not in shown
    assert found["claim_lookup"] is None
    shown, found = _lookup_turn(history, form_slots, phone[-4:], sender)
    assert "¥90.00" in shown and "前完成赔付" in shown and found["claim_lookup"] == "answered"
    # In the chat that filed it, "理赔到哪了" finds the claim it was given and needs nothing more.
    filed_in = _chat()
    _, slots = _submit(filed_in, {**UNINSURED, "claim_phone": phone})
    own = make_tracker(slots={"requested_slot": None, "last_claim_number": slots["last_claim_number"]},
                       latest=user("理赔到哪了", "claim_status"), active_loop="claim_status_form", sender=filed_in)
    messages, events = run(ValidateClaimStatusForm(), own)
    assert "最高可赔" in texts(messages) and "后 4 位" not in texts(messages)
    assert slot_events(events)["claim_lookup"] == "answered"


def _lookup_turn(history: list, slots: dict, text: str, sender: str = "cl-lookup") -> tuple[str, dict]:
    """One answer to the claim-status form; the bot's messages (with their metadata) join the history."""
    latest = user(text)
    tracker = make_tracker(events=list(history), slots={"requested_slot": "claim_lookup", **slots}, latest=latest,
                           active_loop="claim_status_form", sender=sender)
    messages, events = run(ValidateClaimStatusForm(), tracker)
    history.append(latest)
    history += [{"event": "bot", "text": m.get("text"),
                 "metadata": {k: v for k, v in m.items() if k.startswith(("asks_", "lookup_"))}} for m in messages]
    found = slot_events(events)
    slots.update({k: v for k, v in found.items() if k != "claim_lookup"})
    return texts(messages), found


def test_status_by_phone_needs_the_tracking_numbers_last_digits(client: BackendClient, api) -> None:
    phone = "1980" + f"{uuid.uuid4().int % 10**7:07d}"
    _, slots = _submit("cl-unit-by-phone", {**UNINSURED, "claim_phone": phone})
    number = slots["last_claim_number"]
    shown = texts(run(ActionClaimStatus(), make_tracker(slots={"claim_lookup": phone}))[0])
    assert "1 条理赔正在处理" in shown and number not in shown  # never a list by phone
    history: list = []
    form_slots: dict = {}
    shown, found = _lookup_turn(history, form_slots, phone)
    assert "名下有 1 条理赔正在处理" in shown and "后 4 位" in shown and number not in shown
    assert found["claim_lookup"] is None
    shown, found = _lookup_turn(history, form_slots, "0005")
    assert "没有对上" in shown and found["claim_lookup"] is None
    shown, found = _lookup_turn(history, form_slots, "0002")  # ZT100000000002
    assert found["claim_lookup"] == "answered" and number in shown and "已受理" in shown


def test_a_photo_sent_before_it_was_asked_for_is_kept_and_the_question_repeated() -> None:
    shown, slots = answer("[图片]", "claim_description", {"claim_evidence_urls": ["a"]},
                          metadata={"image_url": "http://example.invalid/b.jpg"})
    assert "收到照片" in shown and slots["claim_description"] is None
    assert slots["claim_evidence_urls"] == ["a", "http://example.invalid/b.jpg"]


def test_a_later_photo_goes_to_the_last_claim_and_a_kept_claim_is_filed_on_the_next_turn(
    dead_client, backend_url: str, api, photo_url: str
) -> None:
    from actions.every_turn import ActionValidateSlotMappings
    from bot.clients.backend import set_client

    _, slots = _submit("cl-unit-later", {**UNINSURED, "claim_phone": "13688889999"})
    pending = slots["claim_pending"]
    set_client(BackendClient(base_url=backend_url))
    tracker = make_tracker(slots={"claim_pending": pending}, latest=user("在吗", "greet"), sender="cl-unit-later")
    messages, events = run(ActionValidateSlotMappings(), tracker)
    number = slot_events(events)["last_claim_number"]
    assert "已补交" in texts(messages) and number in texts(messages)
    assert slot_events(events)["claim_pending"] is None

    photo = user("[图片]")
    photo["parse_data"]["metadata"] = {"image_url": photo_url}
    tracker = make_tracker(slots={"last_claim_number": number}, latest=photo, sender="cl-unit-later")
    messages, _ = run(ActionValidateSlotMappings(), tracker)
    assert f"照片已补充到理赔单 {number}" in texts(messages)
    assert api("GET", f"/api/v1/claims/{number}", headers=_as("cl-unit-later")).json()["evidence_count"] == 1


@pytest.mark.parametrize("text", ["理赔一般多久到账", "理賠一般多久能到賬"])
def test_a_general_payout_question_gets_the_rule_and_an_offer_not_a_demand(text: str) -> None:
    asked = make_tracker(slots={"requested_slot": None}, latest=user(text, "claim_status"),
                         active_loop="claim_status_form", sender=_chat())
    messages, events = run(ValidateClaimStatusForm(), asked)
    shown = texts(messages)
    days = get_settings().claim_payout_working_days
    assert f"审核通过后，赔款会在 {days} 个工作日内" in shown and "理赔单号（CL 开头）" in shown, shown
    assert slot_events(events)["claim_lookup"] == "answered"


def test_a_question_about_the_customers_own_payout_is_still_looked_up() -> None:
    asked = make_tracker(slots={"requested_slot": None}, latest=user("我的赔款怎么还没到账", "claim_status"),
                         active_loop="claim_status_form", sender=_chat())
    messages, events = run(ValidateClaimStatusForm(), asked)
    assert "个工作日内" not in texts(messages) and slot_events(events).get("claim_lookup") != "answered"
