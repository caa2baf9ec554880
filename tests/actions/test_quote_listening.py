"""The quote form takes every detail a message holds, in any order, and never stores one in the wrong slot."""

from __future__ import annotations

from actions.quotes import NO_DIMENSIONS, ValidateQuoteForm
from tests.actions.action_helpers import make_tracker, run, slot_events, texts, user

PRICED = {"origin": "上海", "destination": "乌鲁木齐", "weight": "3"}


def turn(text: str, requested: str | None, slots: dict | None = None, intent: str = "inform"):
    shown, slots, _ = asks(text, requested, slots, intent)
    return shown, slots


def asks(text: str, requested: str | None, slots: dict | None = None, intent: str = "inform"):
    """What the form shows, the slots it sets, and the slot it asks next (None: the price is given)."""
    tracker = make_tracker(slots={"requested_slot": requested, **(slots or {})}, latest=user(text, intent),
                           active_loop="quote_form" if requested else None)
    messages, events = run(ValidateQuoteForm(), tracker)
    found = slot_events(events)
    return texts(messages), found, found.pop("requested_slot", "unchanged")


def test_everything_in_the_first_message_needs_no_question() -> None:
    shown, slots = turn("从杭州寄5公斤到北京，30x20x10，特快，多少钱", None, intent="request_quote")
    assert slots == {"origin": "杭州", "destination": "北京", "weight": "5", "dimensions": "30x20x10",
                     "service_level": "express"}
    assert shown == ""


def test_an_unknown_size_said_up_front_is_not_asked_again() -> None:
    _, slots = turn("上海到成都一斤半的东西寄特快多少钱，尺寸不知道", None, intent="request_quote")
    assert slots["weight"] == "0.75" and slots["dimensions"] == NO_DIMENSIONS and slots["service_level"] == "express"


def test_answers_out_of_order_fill_their_own_slots() -> None:
    _, slots = turn("三公斤，特快", "origin")
    assert slots["weight"] == "3" and slots["service_level"] == "express" and slots["origin"] is None
    _, slots = turn("两箱茶叶十斤，从杭州发", "origin")
    assert slots["origin"] == "杭州" and slots["weight"] == "5"


def test_a_city_sent_from_is_the_origin_even_when_the_destination_was_asked() -> None:
    _, slots = turn("广州寄出，大概十斤", "destination")
    assert slots["origin"] == "广州" and slots["destination"] is None and slots["weight"] == "5"


def test_a_size_is_not_a_weight() -> None:
    shown, slots = turn("寄到成都，40*30*20", "weight", {"origin": "上海"})
    assert slots["weight"] is None and slots["dimensions"] == "40x30x20" and slots["destination"] == "成都"
    assert "重量" in shown


def test_origin_destination_and_weight_are_enough_for_a_price() -> None:
    shown, slots, next_slot = asks("从上海寄3公斤到乌鲁木齐多少钱", None, intent="request_quote")
    assert (slots["origin"], slots["destination"], slots["weight"]) == ("上海", "乌鲁木齐", "3")
    assert next_slot is None and shown == ""  # no size or service question: the form ends and prices
    _, _, next_slot = asks("寄到成都多少钱", None, intent="request_quote")
    assert next_slot == "origin"


def test_a_size_or_another_service_after_a_price_prices_the_same_parcel_again() -> None:
    _, slots, next_slot = asks("箱子30x20x10", None, PRICED)
    assert slots["dimensions"] == "30x20x10" and next_slot is None
    assert {slot: slots.get(slot, value) for slot, value in PRICED.items()} == PRICED
    # filed as a new request by the classifier, still the same parcel
    _, slots, next_slot = asks("換特快", None, {**PRICED, "dimensions": NO_DIMENSIONS}, intent="request_quote")
    assert slots["service_level"] == "express" and next_slot is None
    assert {slot: slots.get(slot, value) for slot, value in PRICED.items()} == PRICED


def test_offering_the_size_asks_for_it_and_a_new_route_starts_over() -> None:
    _, slots, next_slot = asks("按尺寸重算", None, {**PRICED, "dimensions": NO_DIMENSIONS})
    assert slots["dimensions"] is None and next_slot == "dimensions"
    _, slots, next_slot = asks("40*30*30", "dimensions", PRICED)
    assert slots["dimensions"] == "40x30x30" and next_slot is None
    _, slots, next_slot = asks("从北京寄到广州多少钱", None, {**PRICED, "dimensions": "30x20x10"}, intent="request_quote")
    assert (slots["origin"], slots["destination"], slots["weight"], slots["dimensions"]) == ("北京", "广州", None, None)
    assert next_slot == "weight"
