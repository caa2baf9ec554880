"""The survey after a finished request: reading the answer, storing it, skipping it, the backend down."""

from __future__ import annotations

from actions.every_turn import ActionValidateSlotMappings
from actions.satisfaction import ActionSaveRating, ValidateRatingForm, score_from_text
from bot.clients.backend import BackendClient
from tests.actions.action_helpers import make_tracker, run, slot_events, texts, user


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
