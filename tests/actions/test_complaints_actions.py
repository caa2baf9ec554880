"""Complaint form answers, the confirm/correct step, filing and status against the real backend."""

from __future__ import annotations

import uuid

from actions.backend_client import BackendClient
from actions.complaints import (
    ActionAskComplaintConfirmed,
    ActionComplaintStatus,
    ActionSubmitComplaint,
    ValidateComplaintForm,
    ValidateComplaintStatusForm,
    category_from_text,
)
from actions.every_turn import ActionValidateSlotMappings
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
    stored = api("GET", f"/api/v1/complaints/{number}").json()
    assert stored["category"] == "delivery" and stored["stage"] == "registered"
    # Same conversation, same confirmed content: the retry is replayed, not a second ticket.
    _, again = _submit("cp-unit-1", FILLED)
    assert again["rating_ticket"] == number
    mine = api("GET", "/api/v1/complaints", params={"phone": "13912345678"}).json()["items"]
    assert sum(1 for item in mine if item["number"] == number) == 1


def test_backend_down_keeps_the_complaint_and_the_next_turn_files_it(dead_client, backend_url) -> None:
    shown, slots = _submit("cp-unit-down", {**FILLED, "complaint_phone": "13911112222"})
    assert "已为您保留" in shown and "转人工" in shown
    assert slots["rating_due"] is False
    pending = slots["complaint_pending"]
    assert pending["payload"]["contact_phone"] == "13911112222"

    # Still down on the next message: nothing said, the data stays.
    tracker = make_tracker(slots={"complaint_pending": pending}, latest=user("在吗", "greet"), sender="cp-unit-down")
    messages, events = run(ActionValidateSlotMappings(), tracker)
    assert messages == [] and "complaint_pending" not in slot_events(events)

    # Back up: the same key files it exactly once.
    from actions.backend_client import BackendClient, set_client

    set_client(BackendClient(base_url=backend_url))
    messages, events = run(ActionValidateSlotMappings(), tracker)
    assert "已补交" in texts(messages) and "CP" in texts(messages)
    assert slot_events(events)["complaint_pending"] is None
    messages, _ = run(ActionValidateSlotMappings(), tracker)  # a replay with the same key
    number = texts(messages).split("投诉单号：")[1][:13]
    assert number.startswith("CP")


def test_status_by_number_shows_the_details(client: BackendClient, api) -> None:
    _, slots = _submit("cp-unit-status", {**FILLED, "complaint_phone": "13922223333"})
    number = slots["rating_ticket"]
    api("POST", f"/api/v1/complaints/{number}/stage", json={"stage": "verifying"})
    tracker = make_tracker(slots={"complaint_lookup": number})
    shown = texts(run(ActionComplaintStatus(), tracker)[0])
    assert number in shown and "更新于" in shown and "最晚响应时间" in shown
    tracker = make_tracker(slots={"complaint_lookup": "CP19990101999"})
    assert "没有查到" in texts(run(ActionComplaintStatus(), tracker)[0])


def _fresh_phone() -> str:
    return "1970" + f"{uuid.uuid4().int % 10**7:07d}"


def _file(api, phone: str, tracking: str | None) -> str:
    body = {"category": "delay", "description": "一周了还没到", "contact_phone": phone,
            **({"tracking_number": tracking} if tracking else {})}
    response = api("POST", "/api/v1/complaints", json=body)
    assert response.status_code == 201, response.text
    return response.json()["number"]


class LookupChat:
    """The status form's turns as Rasa runs them: each bot message (with its metadata) stays in the history."""

    def __init__(self) -> None:
        self.history: list[dict] = []
        self.slots: dict = {"requested_slot": "complaint_lookup"}

    def say(self, text: str, intent: str = "inform") -> tuple[str, dict]:
        latest = user(text, intent)
        tracker = make_tracker(events=list(self.history), slots=dict(self.slots), latest=latest,
                               active_loop="complaint_status_form")
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
    shown, slots = chat.say("单号尾号是0003")
    assert slots["complaint_lookup"] == with_parcel
    details = texts(run(ActionComplaintStatus(), make_tracker(slots={"complaint_lookup": with_parcel}))[0])
    assert with_parcel in details and without_parcel not in details and someone_else not in details
    # The whole tracking number works as well as its last 4 digits.
    chat = LookupChat()
    chat.say(phone)
    assert chat.say("ZT100000000003")[1]["complaint_lookup"] == with_parcel


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
    assert slots["complaint_lookup"].startswith("CP")
    chat = LookupChat()  # a new conversation: misses counted afresh
    chat.say(phone)
    for digits in ("1111", "2222"):
        chat.say(digits)
    shown, slots = chat.say("0003")
    assert slots["complaint_lookup"].startswith("CP")  # two misses so far: the third try is still allowed
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


def test_status_form_reads_the_number_or_phone() -> None:
    def lookup(text: str, requested: str | None, intent: str = "complaint_status"):
        tracker = make_tracker(slots={"requested_slot": requested}, latest=user(text, intent),
                               active_loop="complaint_status_form")
        messages, events = run(ValidateComplaintStatusForm(), tracker)
        return texts(messages), slot_events(events)

    assert lookup("我的投诉cp20261123001处理得怎么样了", None)[1]["complaint_lookup"] == "CP20261123001"
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
