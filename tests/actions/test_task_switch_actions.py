"""A form lets go of a request for another task, and `action_switch_task` hands the message back to the rules."""

from __future__ import annotations

from actions.complaints import ValidateComplaintForm, ValidateComplaintStatusForm
from actions.quotes import ValidateQuoteForm
from actions.task_switch import ActionSwitchTask
from actions.tracking import ValidateTrackingForm
from bot.transcript import transcript_lines
from tests.actions.action_helpers import make_tracker, run, slot_events, texts, user


def validated(action, form: str, asked: str, text: str, intent: str, slots: dict | None = None):
    tracker = make_tracker(slots={"requested_slot": asked, **(slots or {})}, latest=user(text, intent),
                           active_loop=form)
    messages, events = run(action, tracker)
    return texts(messages), slot_events(events)


def test_a_complaint_look_up_lets_go_of_a_quote_request() -> None:
    said, slots = validated(ValidateComplaintStatusForm(), "complaint_status_form", "complaint_lookup",
                            "寄3公斤从上海到北京多少钱", "request_quote")
    assert said == "" and slots == {}  # no "没认出来…后4位": the form is rejected and left


def test_the_complaint_form_does_not_take_a_quote_request_for_its_category() -> None:
    _, slots = validated(ValidateComplaintForm(), "complaint_form", "complaint_category",
                         "寄3公斤从上海到北京多少钱", "request_quote")
    assert slots == {}


def test_an_account_given_for_the_category_is_kept_though_it_reads_like_tracking() -> None:
    _, slots = validated(ValidateComplaintForm(), "complaint_form", "complaint_category",
                         "ZT100000000001 还没到，已经延误一周了", "track_parcel")
    assert slots["complaint_category"] == "delay" and "一周" in slots["complaint_description"]


def test_the_tracking_form_lets_go_of_a_complaint() -> None:
    _, slots = validated(ValidateTrackingForm(), "tracking_form", "tracking_number", "我要投诉你们的快递员",
                         "file_complaint")
    assert slots == {}


def test_the_quote_form_lets_go_of_a_pickup() -> None:
    _, slots = validated(ValidateQuoteForm(), "quote_form", "weight", "明天下午上门取件", "schedule_pickup")
    assert "weight" not in slots


def test_a_complaint_told_in_the_words_of_a_tracking_question_is_kept() -> None:
    _, slots = validated(ValidateComplaintForm(), "complaint_form", "complaint_description",
                         "快递五天了还没到，一直不更新", "track_parcel",
                         {"complaint_category": "delay"})
    assert slots["complaint_description"] == "快递五天了还没到，一直不更新"


def test_the_own_request_is_still_an_answer() -> None:
    _, slots = validated(ValidateTrackingForm(), "tracking_form", "tracking_number", "查件 ZT100000000001",
                         "track_parcel")
    assert slots["tracking_number"] == "ZT100000000001"


def switched():
    latest = user("寄3公斤从上海到北京多少钱", "request_quote")
    latest["parse_data"]["original_text"] = latest["text"]
    tracker = make_tracker(slots={"requested_slot": "complaint_lookup", "complaint_lookup": None}, latest=latest,
                           active_loop="complaint_status_form")
    tracker.latest_message.update({"message_id": "m-7", "metadata": {"channel": "web"}})
    return run(ActionSwitchTask(), tracker)


def test_the_switch_closes_the_form_and_says_the_message_again() -> None:
    messages, events = switched()
    assert "投诉进度查询先停下了" in texts(messages)
    kinds = [event["event"] for event in events]
    assert kinds[0] == "rewind" and kinds[-2:] == ["action", "user"]
    assert any(e["event"] == "active_loop" and e["name"] is None for e in events[1:-2])
    assert slot_events(events) == {"requested_slot": None, "complaint_lookup": None}
    again = events[-1]
    assert events[-2]["name"] == "action_listen"
    assert again["text"] == "寄3公斤从上海到北京多少钱" and again["message_id"] == "m-7"
    assert again["parse_data"]["intent"]["name"] == "request_quote"
    assert again["parse_data"]["original_text"] == again["text"] and "text" not in again["parse_data"]
    assert again["metadata"] == {"channel": "web"}


def test_the_message_said_again_is_one_line_of_the_transcript() -> None:
    _, events = switched()
    first = {"event": "user", "text": "寄3公斤从上海到北京多少钱", "message_id": "m-7", "timestamp": 1.0}
    lines = transcript_lines([first, {"event": "bot", "text": "好的", "timestamp": 2.0}, *events], limit=10)
    assert [line["role"] for line in lines] == ["user", "bot"]
