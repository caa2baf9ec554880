"""Complaint form answers, the confirm/correct step, filing and status against the real backend."""

from __future__ import annotations

import re
import uuid

import pytest

from actions.complaints import (
    ActionAskComplaintConfirmed,
    ActionComplaintStatus,
    ActionSubmitComplaint,
    ValidateComplaintForm,
    ValidateComplaintStatusForm,
    category_from_text,
)
from actions.every_turn import ActionValidateSlotMappings
from bot.clients.backend import BackendClient
from tests.actions.action_helpers import entity, make_tracker, run, slot_events, texts, user

FILLED = {
    "complaint_category": "delivery",
    "complaint_description": "快递员没送上门，直接放驿站了",
    "complaint_tracking_number": "ZT100000000001",
    "complaint_phone": "13912345678",
}


def answer(text: str, requested: str | None, slots: dict | None = None, intent: str = "inform",
           entities: list | None = None):
    tracker = make_tracker(slots={"requested_slot": requested, **(slots or {})},
                           latest=user(text, intent, entities), active_loop="complaint_form")
    messages, events = run(ValidateComplaintForm(), tracker)
    return texts(messages), slot_events(events)


def test_categories_from_buttons_words_and_numbers() -> None:
    assert category_from_text("延误") == "delay"
    assert category_from_text("快递员态度太差了") == "attitude"
    assert category_from_text("3") == "loss"
    assert answer("破损", "complaint_category")[1]["complaint_category"] == "damage"
    shown, slots = answer("嗯嗯", "complaint_category")
    assert slots["complaint_category"] is None and "其他" in shown


def test_the_opening_message_prefills_what_it_already_says() -> None:
    text = "我要投诉，快递员态度很差还挂我电话，单号ZT100000000001"
    _, slots = answer(text, None, intent="file_complaint",
                      entities=[entity("tracking_number", "ZT100000000001", text)])
    assert slots["complaint_category"] == "attitude"
    assert slots["complaint_tracking_number"] == "ZT100000000001"
    assert "挂我电话" in slots["complaint_description"]


def test_a_tracked_parcel_and_a_known_phone_are_carried_over() -> None:
    _, slots = answer("我要投诉", None, {"tracking_number": "ZT100000000003", "phone": "13812345678"},
                      intent="file_complaint")
    assert slots["complaint_tracking_number"] == "ZT100000000003"
    assert slots["complaint_phone"] == "13812345678"
    assert "complaint_description" not in slots


def test_no_tracking_number_is_a_valid_answer_and_bad_numbers_get_a_hint() -> None:
    assert answer("没有", "complaint_tracking_number")[1]["complaint_tracking_number"] == "none"
    shown, slots = answer("ZT123", "complaint_tracking_number")
    assert slots["complaint_tracking_number"] is None and "ZT 加 12 位数字" in shown
    shown, slots = answer("12345", "complaint_phone")
    assert slots["complaint_phone"] is None and "11 位" in shown
    assert answer("138-1234-5678", "complaint_phone")[1]["complaint_phone"] == "13812345678"


def test_faq_or_cancel_while_asked_for_the_description_is_not_a_description() -> None:
    assert answer("你们几点下班", "complaint_description", intent="faq")[1] == {}
    assert answer("算了", "complaint_description", intent="cancel")[1] == {}


def test_traditional_answers_are_understood_and_the_description_kept_as_written() -> None:
    assert answer("態度", "complaint_category")[1]["complaint_category"] == "attitude"
    assert answer("包裹被壓壞了", "complaint_description")[1]["complaint_description"] == "包裹被壓壞了"


def test_summary_masks_the_phone_and_confirm_accepts() -> None:
    tracker = make_tracker(slots={**FILLED, "requested_slot": "complaint_confirmed"})
    messages, _ = run(ActionAskComplaintConfirmed(), tracker)
    shown = texts(messages)
    assert "139****5678" in shown and "13912345678" not in shown and "派送问题" in shown
    assert answer("确认", "complaint_confirmed", FILLED, intent="affirm")[1]["complaint_confirmed"] is True


def test_corrections_at_the_summary_change_the_field_and_show_it_again() -> None:
    text = "不对，电话是13712345678"
    _, slots = answer(text, "complaint_confirmed", FILLED, intent="deny",
                      entities=[entity("phone", "13712345678", text)])
    assert slots["complaint_phone"] == "13712345678" and slots["complaint_confirmed"] is None
    _, slots = answer("类别改成破损", "complaint_confirmed", FILLED)
    assert slots["complaint_category"] == "damage"
    _, slots = answer("描述改成：箱子被压扁了", "complaint_confirmed", FILLED)
    assert slots["complaint_description"] == "箱子被压扁了"
    shown, slots = answer("不对", "complaint_confirmed", FILLED, intent="deny")
    assert slots["complaint_confirmed"] is None and "要改的内容" in shown


def _submit(sender: str, slots: dict):
    tracker = make_tracker(slots={**slots, "complaint_confirmed": True}, sender=sender)
    messages, events = run(ActionSubmitComplaint(), tracker)
    return texts(messages), slot_events(events)


def test_filing_creates_the_ticket_once_and_promises_the_response_time(client: BackendClient, api) -> None:
    shown, slots = _submit("cp-unit-1", FILLED)
    number = slots["rating_ticket"]
    assert number.startswith("CP") and number in shown and "24 小时内" in shown
    assert slots["rating_due"] is True and slots["complaint_category"] is None
    stored = api("GET", f"/api/v1/complaints/{number}", headers={"X-Conversation-Id": "cp-unit-1"}).json()
    assert stored["category"] == "delivery" and stored["stage"] == "registered"
    assert re.fullmatch(r"CP[3-9]\d{11}", number)
    # Same conversation, same confirmed content: the retry is replayed, not a second ticket.
    _, again = _submit("cp-unit-1", FILLED)
    assert again["rating_ticket"] == number
    mine = api("GET", "/api/v1/complaints", params={"phone": "13912345678"}).json()["items"]
    assert sum(1 for item in mine if item["number"] == number) == 1


def test_backend_down_keeps_the_complaint_and_the_next_turn_files_it(dead_client, backend_url, outbox) -> None:
    shown, slots = _submit("cp-unit-down", {**FILLED, "complaint_phone": "13911112222"})
    assert "自动为您提交" in shown and "不会重复登记" in shown and "转人工" in shown
    assert slots["rating_due"] is False
    pending = slots["complaint_pending"]
    assert pending["payload"]["contact_phone"] == "13911112222"
    [kept] = outbox.claim()  # durable too, with the first try's key
    assert kept.key == pending["key"] and kept.payload == {"body": pending["payload"]}
    outbox.retry_later(kept, "unavailable", now=0)

    # Still down on the next message: nothing said, the data stays.
    tracker = make_tracker(slots={"complaint_pending": pending}, latest=user("在吗", "greet"), sender="cp-unit-down")
    messages, events = run(ActionValidateSlotMappings(), tracker)
    assert messages == [] and "complaint_pending" not in slot_events(events)

    # Back up: the same key files it exactly once.
    from bot.clients.backend import BackendClient, set_client

    set_client(BackendClient(base_url=backend_url))
    messages, events = run(ActionValidateSlotMappings(), tracker)
    assert "已补交" in texts(messages) and "CP" in texts(messages)
    assert slot_events(events)["complaint_pending"] is None
    assert outbox.waiting() == 0  # filed by the turn: the worker has nothing left to send
    messages, _ = run(ActionValidateSlotMappings(), tracker)  # a replay with the same key
    number = texts(messages).split("投诉单号：")[1][:14]
    assert number.startswith("CP")


def test_status_by_number_shows_the_details_to_the_chat_that_filed_it(client: BackendClient, api) -> None:
    _, slots = _submit("cp-unit-status", {**FILLED, "complaint_phone": "13922223333"})
    number = slots["rating_ticket"]
    api("POST", f"/api/v1/complaints/{number}/stage", json={"stage": "verifying"})
    tracker = make_tracker(slots={"complaint_lookup": number}, sender="cp-unit-status")
    shown = texts(run(ActionComplaintStatus(), tracker)[0])
    assert number in shown and "更新于" in shown and "最晚响应时间" in shown
    # Asked in the same chat through the form: the details at once, no digits asked.
    shown, slots = LookupChat("cp-unit-status").say(f"投诉单{number}处理到哪了", "complaint_status")
    assert "最晚响应时间" in shown and "后 4 位" not in shown and slots["complaint_lookup"] == "answered"
    # Another chat, in the status action: the stage only.
    shown = texts(run(ActionComplaintStatus(), make_tracker(slots={"complaint_lookup": number},
                                                            sender=_chat()))[0])
    assert "核实中" in shown and "派送" not in shown and "最晚响应时间" not in shown
    tracker = make_tracker(slots={"complaint_lookup": "CP583920174468"}, sender=_chat())
    assert "没有查到" in texts(run(ActionComplaintStatus(), tracker)[0])


def _fresh_phone() -> str:
    return "1970" + f"{uuid.uuid4().int % 10**7:07d}"


def _file(api, phone: str, tracking: str | None) -> str:
    body = {"category": "delay", "description": "一周了还没到", "contact_phone": phone,
            **({"tracking_number": tracking} if tracking else {})}
    response = api("POST", "/api/v1/complaints", json=body)
    assert response.status_code == 201, response.text
    return response.json()["number"]


def _chat() -> str:
    return f"cp-chat-{uuid.uuid4().hex[:10]}"


class LookupChat:
    """The status form's turns as Rasa runs them: each bot message (with its metadata) stays in the history."""

    def __init__(self, sender: str | None = None) -> None:
        self.sender = sender or _chat()
        self.history: list[dict] = []
        self.slots: dict = {"requested_slot": "complaint_lookup"}

    def say(self, text: str, intent: str = "inform") -> tuple[str, dict]:
        latest = user(text, intent)
        tracker = make_tracker(events=list(self.history), slots=dict(self.slots), latest=latest,
                               active_loop="complaint_status_form", sender=self.sender)
        messages, events = run(ValidateComplaintStatusForm(), tracker)
        slots = slot_events(events)
        self.history.append(latest)
        self.history += [{"event": "bot", "text": m.get("text"),
                          "metadata": {k: v for k, v in m.items() if k not in ("text", "buttons", "elements",
                                                                              "custom", "template", "response",
                                                                              "image", "attachment")}}
                         for m in messages]
        self.slots.update({k: v for k, v in slots.items() if k != "complaint_lookup"})
        return texts(messages), slots


def test_a_phone_alone_reveals_only_how_many_and_the_tracking_digits_show_the_ticket(client: BackendClient,
                                                                                     api) -> None:
    phone = _fresh_phone()
    with_parcel = _file(api, phone, "ZT100000000003")
    without_parcel = _file(api, phone, None)
    someone_else = _file(api, _fresh_phone(), "ZT100000000005")
    chat = LookupChat()
    shown, slots = chat.say(phone)
    assert f"{phone[:3]}****{phone[-4:]} 名下有 2 条投诉正在处理" in shown and "后 4 位" in shown
    assert "CP" not in shown.replace("CP 开头", "") and phone not in shown
    assert slots["complaint_lookup"] is None  # the form keeps asking
    details, slots = chat.say("单号尾号是0003")  # proven for this phone: the details at once
    assert slots["complaint_lookup"] == "answered"
    assert with_parcel in details and "当前进度" in details and "最晚响应时间" in details
    assert without_parcel not in details and someone_else not in details
    # The whole tracking number works as well as its last 4 digits.
    chat = LookupChat()
    chat.say(phone)
    shown, slots = chat.say("ZT100000000003")
    assert with_parcel in shown and slots["complaint_lookup"] == "answered"


def test_another_persons_parcel_digits_find_nothing_and_three_misses_lock_the_look_up(client: BackendClient,
                                                                                      api) -> None:
    phone, other = _fresh_phone(), _fresh_phone()
    _file(api, phone, "ZT100000000003")
    _file(api, other, "ZT100000000005")  # the other person's parcel ends in 0005
    chat = LookupChat()
    chat.say(phone)
    shown, slots = chat.say("0005")
    assert "没有对上" in shown and "再试 2 次" in shown and slots["complaint_lookup"] is None
    shown, slots = chat.say("不记得了")  # not digits: a hint, no try counted
    assert "没认出来" in shown and slots["complaint_lookup"] is None
    shown, _ = chat.say("1111")
    assert "再试 1 次" in shown
    shown, slots = chat.say("0003")  # the last try left, and the right digits
    assert "当前进度" in shown and slots["complaint_lookup"] == "answered"
    chat = LookupChat()  # a new conversation: misses counted afresh
    chat.say(phone)
    for digits in ("1111", "2222"):
        chat.say(digits)
    shown, slots = chat.say("0003")
    assert "当前进度" in shown  # two misses so far: the third try is still allowed
    chat.say(phone)
    shown, slots = chat.say("4444")
    assert "上限" in shown and slots["complaint_lookup"] == "answered"
    shown, slots = chat.say(phone)  # locked for the conversation: not even the count again
    assert "上限" in shown and "名下有" not in shown and slots["complaint_lookup"] == "answered"
    assert run(ActionComplaintStatus(), make_tracker(slots={"complaint_lookup": "answered"}))[0] == []


def test_a_phone_without_complaints_says_so_and_ends_the_look_up(client: BackendClient) -> None:
    phone = _fresh_phone()
    shown, slots = LookupChat().say(phone)
    assert "没有查到投诉记录" in shown and slots["complaint_lookup"] == "answered"


def test_the_status_action_never_lists_by_phone(client: BackendClient, api) -> None:
    phone = _fresh_phone()
    number = _file(api, phone, "ZT100000000003")
    shown = texts(run(ActionComplaintStatus(), make_tracker(slots={"complaint_lookup": phone}))[0])
    assert "1 条投诉正在处理" in shown and number not in shown


def test_status_form_reads_the_number_or_phone(client: BackendClient, api) -> None:
    def lookup(text: str, requested: str | None, intent: str = "complaint_status"):
        tracker = make_tracker(slots={"requested_slot": requested}, latest=user(text, intent),
                               active_loop="complaint_status_form", sender=_chat())
        messages, events = run(ValidateComplaintStatusForm(), tracker)
        return texts(messages), slot_events(events)

    number = _file(api, _fresh_phone(), None)
    shown, slots = lookup(f"我的投诉{number.lower()}处理得怎么样了", None)
    assert number in shown and "已登记" in shown and slots["complaint_lookup"] is None
    shown, slots = lookup("不记得了", "complaint_lookup", "inform")
    assert slots["complaint_lookup"] is None and "CP 开头" in shown
    shown, slots = lookup("0003", "complaint_lookup", "inform")  # digits with no phone asked about
    assert slots["complaint_lookup"] is None and "CP 开头" in shown


def test_status_with_the_backend_down_apologises(dead_client) -> None:
    tracker = make_tracker(slots={"complaint_lookup": "CP20261123001"})
    shown = texts(run(ActionComplaintStatus(), tracker)[0])
    assert "抱歉" in shown and "转人工" in shown


def test_a_photo_is_not_taken_for_an_answer() -> None:
    latest = user("[图片]")
    latest["parse_data"]["metadata"] = {"image_url": "http://example.invalid/c.jpg"}
    tracker = make_tracker(slots={"requested_slot": "complaint_description"}, latest=latest,
                           active_loop="complaint_form")
    messages, events = run(ValidateComplaintForm(), tracker)
    assert "文字" in texts(messages) and slot_events(events) == {"complaint_description": None}


# ---- a number from another chat: the stage, then the phone's last 4 digits (issue 13, finding 4) ----------
@pytest.mark.security
def test_a_number_from_another_chat_shows_the_stage_and_asks_for_the_phone_digits(client: BackendClient,
                                                                                  api) -> None:
    phone = _fresh_phone()
    number = _file(api, phone, "ZT100000000003")
    chat = LookupChat()
    shown, slots = chat.say(f"投诉单{number}处理到哪了", "complaint_status")
    assert number in shown and "已登记" in shown and "手机号的后 4 位" in shown, shown
    assert "延误" not in shown and "最晚响应时间" not in shown and "一周" not in shown
    assert slots["complaint_lookup"] is None  # the form waits for the digits
    shown, slots = chat.say("不记得了")
    assert "没认出来" in shown and slots["complaint_lookup"] is None
    wrong = "0000" if phone[-4:] != "0000" else "1111"
    shown, slots = chat.say(wrong)
    assert "没有对上" in shown and "再试 4 次" in shown and slots["complaint_lookup"] is None
    shown, slots = chat.say(phone)  # the whole phone is as good as its last 4 digits
    assert "当前进度" in shown and "最晚响应时间" in shown and slots["complaint_lookup"] == "answered"
    assert phone not in shown


@pytest.mark.security
def test_a_number_and_the_phone_given_in_a_look_up_by_phone_show_the_details(client: BackendClient,
                                                                             api) -> None:
    phone = _fresh_phone()
    number = _file(api, phone, None)
    chat = LookupChat()
    chat.say(phone)
    shown, slots = chat.say(number)
    assert "当前进度" in shown and "最晚响应时间" in shown and slots["complaint_lookup"] == "answered"


@pytest.mark.security
def test_a_mistyped_check_digit_is_caught_before_any_look_up(client: BackendClient, api) -> None:
    number = _file(api, _fresh_phone(), None)
    typo = number[:-1] + str((int(number[-1]) + 1) % 10)
    shown, slots = LookupChat().say(typo)
    assert "输错" in shown and slots["complaint_lookup"] is None


@pytest.mark.security
def test_too_many_look_ups_from_one_chat_get_a_polite_wait(client: BackendClient, api) -> None:
    number = _file(api, _fresh_phone(), None)
    sender = _chat()
    for _ in range(6):
        shown, _ = LookupChat(sender).say(number)
        assert "已登记" in shown
    shown, slots = LookupChat(sender).say(number)
    assert "次数有点多" in shown and "分钟后再试" in shown and "转人工" in shown and number not in shown
    assert slots["complaint_lookup"] == "answered"


@pytest.mark.security
def test_wrong_digits_from_many_chats_lock_the_complaint(client: BackendClient, api) -> None:
    phone = _fresh_phone()
    number = _file(api, phone, None)
    wrong = "0000" if phone[-4:] != "0000" else "1111"
    for _ in range(4):  # the backend's default: 5 wrong answers lock the ticket, whichever chat gives them
        chat = LookupChat()
        chat.say(number)
        assert "没有对上" in chat.say(wrong)[0]
    chat = LookupChat()
    chat.say(number)
    shown, slots = chat.say(wrong)
    assert "暂时锁定" in shown and "转人工" in shown and slots["complaint_lookup"] == "answered"
    chat = LookupChat()
    chat.say(number)
    shown, _ = chat.say(phone[-4:])  # now even the right digits get the same answer
    assert "暂时锁定" in shown and "当前进度" not in shown
