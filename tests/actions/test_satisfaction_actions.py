"""The survey after a finished request: reading the answer, storing it, skipping it, the backend down."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.every_turn import ActionValidateSlotMappings
from actions.satisfaction import ActionSaveRating, ValidateRatingForm, score_from_text
from bot.clients.backend import BackendClient
from tests.actions.action_helpers import DOMAIN, make_tracker, run, slot_events, texts, user


def run_with(action, tracker, domain):
    dispatcher = CollectingDispatcher()
    return dispatcher.messages, asyncio.run(action.run(dispatcher, tracker, domain))


def answer(text: str, intent: str = "inform"):
    tracker = make_tracker(slots={"requested_slot": "rating_score"}, latest=user(text, intent),
                           active_loop="rating_form")
    messages, events = run(ValidateRatingForm(), tracker)
    return texts(messages), slot_events(events)


def test_scores_in_the_ways_customers_give_them() -> None:
    assert score_from_text("5") == 5
    assert score_from_text("给4分吧") == 4
    assert score_from_text("⭐⭐⭐") == 3
    assert score_from_text("五星好评") == 5
    assert score_from_text("很满意") == 5
    assert score_from_text("不太满意") == 2
    assert score_from_text("不用了") == "skip"
    assert score_from_text("ZT100000000001") is None


def test_the_form_takes_answers_skips_and_lets_new_requests_through() -> None:
    assert answer("5")[1]["rating_score"] == 5
    assert answer("謝謝，不用了", "thank")[1]["rating_score"] == "skip"
    assert answer("查一下快递ZT100000000001", "track_parcel")[1] == {}
    shown, slots = answer("嗯？")
    assert slots["rating_score"] is None and "1 到 5" in shown


def test_a_rating_is_stored_with_the_conversation_and_ticket(client: BackendClient, api) -> None:
    before = api("GET", "/api/v1/reports/kpi").json()["counts"]
    tracker = make_tracker(slots={"rating_score": 2, "rating_ticket": "CP20261123001", "rating_due": True},
                           sender="rating-unit")
    messages, events = run(ActionSaveRating(), tracker)
    assert "抱歉" in texts(messages) and slot_events(events)["rating_score"] is None
    run(ActionSaveRating(), tracker)  # a replay of the same answer stores nothing new
    after = api("GET", "/api/v1/reports/kpi").json()["counts"]
    assert after.get("ratings", 0) == before.get("ratings", 0) + 1


def test_a_skip_stores_nothing(client: BackendClient) -> None:
    messages, events = run(ActionSaveRating(), make_tracker(slots={"rating_score": "skip"}))
    assert "不打扰" in texts(messages) and slot_events(events)["rating_due"] is None


def test_backend_down_keeps_the_rating_for_the_next_turn(dead_client, backend_url) -> None:
    tracker = make_tracker(slots={"rating_score": 5}, sender="rating-down")
    messages, events = run(ActionSaveRating(), tracker)
    pending = slot_events(events)["rating_pending"]
    assert "感谢" in texts(messages) and pending["payload"]["score"] == 5

    from bot.clients.backend import set_client

    set_client(BackendClient(base_url=backend_url))
    later = make_tracker(slots={"rating_pending": pending}, latest=user("好的", "affirm"), sender="rating-down")
    _, events = run(ActionValidateSlotMappings(), later)
    assert slot_events(events)["rating_pending"] is None


# --- issue 16: a low rating asks what went wrong and stores the comment -------------------------------------

def after_score(score: int, domain: dict | None = None):
    """The form's validation right after the customer gave `score` (requested_slot was rating_score)."""
    tracker = make_tracker(slots={"requested_slot": "rating_score"}, latest=user(str(score)),
                           active_loop="rating_form")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateRatingForm().run(dispatcher, tracker, domain if domain is not None else DOMAIN))
    return slot_events(events)


def comment(text: str, intent: str = "inform"):
    tracker = make_tracker(slots={"rating_score": 2, "requested_slot": "rating_comment"}, latest=user(text, intent),
                           active_loop="rating_form")
    _, events = run(ValidateRatingForm(), tracker)
    return slot_events(events)


@pytest.mark.parametrize("score", [1, 2])
def test_a_low_rating_asks_what_went_wrong(score: int) -> None:
    slots = after_score(score)
    assert slots["rating_score"] == score and slots["requested_slot"] == "rating_comment"
    assert "哪里做得不好" in DOMAIN["responses"]["utter_ask_rating_comment"][0]["text"]


@pytest.mark.parametrize("score", [3, 4, 5])
def test_a_good_rating_ends_the_survey(score: int) -> None:
    slots = after_score(score)
    assert slots["rating_score"] == score and slots.get("requested_slot") is None and "rating_comment" not in slots


def test_a_model_without_the_comment_slot_keeps_the_one_question_survey() -> None:
    old_domain = {**DOMAIN, "slots": {k: v for k, v in DOMAIN["slots"].items() if k != "rating_comment"}}
    assert after_score(1, old_domain).get("requested_slot") != "rating_comment"
    _, events = run_with(ActionSaveRating(), make_tracker(slots={"rating_score": "skip"}), old_domain)
    assert "rating_comment" not in slot_events(events)


def test_the_comment_is_the_customer_s_words_a_skip_or_left_to_other_rules() -> None:
    assert comment("快递员态度太差了，打电话也不接", "file_complaint")["rating_comment"] == "快递员态度太差了，打电话也不接"
    assert comment("等了好久才有人回我")["rating_comment"] == "等了好久才有人回我"
    assert comment("不用了")["rating_comment"] == "skip"
    assert comment("沒有了，謝謝", "thank")["rating_comment"] == "skip"
    assert "rating_comment" not in comment("转人工", "request_human")
    assert "rating_comment" not in comment("查一下ZT100000000001", "track_parcel")


@pytest.fixture
def sent(client: BackendClient, monkeypatch) -> list[dict]:
    """The ratings the actions send to the (real) backend, in order."""
    sent: list[dict] = []
    real = client.create_rating

    def recording(payload, **kwargs):
        sent.append(payload)
        return real(payload, **kwargs)

    monkeypatch.setattr(client, "create_rating", recording)
    return sent


def test_a_low_rating_is_stored_with_its_comment(sent: list[dict]) -> None:
    tracker = make_tracker(slots={"rating_score": 1, "rating_comment": "快递员态度太差了"}, sender="rating-comment")
    messages, events = run(ActionSaveRating(), tracker)
    assert sent and sent[0]["score"] == 1 and sent[0]["comment"] == "快递员态度太差了"
    assert "记录" in texts(messages) and slot_events(events)["rating_comment"] is None
    skipped = make_tracker(slots={"rating_score": 2, "rating_comment": "skip"}, sender="rating-no-comment")
    run(ActionSaveRating(), skipped)
    assert "comment" not in sent[-1]


def test_no_thanks_to_what_went_wrong_keeps_the_low_score(sent: list[dict]) -> None:
    """"不用了" read as cancel while the comment is asked: the score is stored without one, not dropped."""
    from actions.forms_common import ActionCancelForm

    tracker = make_tracker(slots={"rating_score": 1, "requested_slot": "rating_comment"}, latest=user("不用了", "cancel"),
                           active_loop="rating_form", sender="rating-cancel-comment")
    messages, events = run(ActionCancelForm(), tracker)
    assert sent and sent[0]["score"] == 1 and "comment" not in sent[0]
    assert "取消" not in texts(messages) and "收到您的评分" in texts(messages)
