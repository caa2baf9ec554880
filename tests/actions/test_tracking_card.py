"""The tracking card builder: what the web page draws, with nothing personal beyond what the reply shows."""

from __future__ import annotations

import json

from actions.tracking import ActionTrackParcel, ActionVerifyParcel
from actions.tracking_card import CARD_TYPE, hurry_payload, tracking_card
from bot.backend.seed import DEMO_PARCELS
from bot.channels.script_output import ReplyScript, convert_message
from bot.clients.backend import BackendClient
from tests.actions.action_helpers import entity, make_tracker, run, user

BY_STATUS = {p.status: p for p in reversed(DEMO_PARCELS)}

SUMMARY = {
    "tracking_number": "ZT100000000003", "status": "delayed", "status_text": "延误", "origin_city": "成都",
    "destination_city": "广州", "current_city": "武汉", "eta": "2026-12-05", "is_delayed": True, "is_exception": False,
    "last_event": {"time": "2026-12-06T09:00:00+08:00", "city": "武汉", "status": "delayed",
                   "description": "受天气影响，快件运输时效有所延误"},
    "courier": None,
}


def test_a_summary_card_has_status_route_last_scan_and_the_next_steps() -> None:
    card = tracking_card(SUMMARY)
    assert card["type"] == CARD_TYPE and card["title"] == "延误" and card["late"] is True
    assert card["route"] == {"origin": {"title": "成都"}, "destination": {"title": "广州"}}
    assert card["complete"] is False and [scan["title"] for scan in card["timeline"]] == ["武汉"]
    assert [a["title"] for a in card["actions"]] == ["催件", "改地址", "投诉", "理赔"]
    hurry = card["actions"][0]["payload"]
    assert hurry.startswith("/hurry_parcel{") and json.loads(hurry[len("/hurry_parcel"):]) == {
        "tracking_number": "ZT100000000003"}
    assert card["courier"] is None


def test_a_verified_card_has_the_whole_timeline_newest_first() -> None:
    events = [{"time": f"2026-12-0{day}T08:00:00+08:00", "city": city, "status": "in_transit", "description": city}
              for day, city in ((1, "成都"), (2, "重庆"), (3, "武汉"))]
    card = tracking_card({**SUMMARY, "events": events}, verified=True)
    assert card["complete"] is True and [scan["title"] for scan in card["timeline"]] == ["武汉", "重庆", "成都"]


def test_a_finished_parcel_offers_no_hurry_and_no_address_change() -> None:
    card = tracking_card({**SUMMARY, "status": "delivered", "status_text": "已签收", "is_delayed": False})
    assert [a["title"] for a in card["actions"]] == ["投诉", "理赔"]
    assert card["eta"] is None and card["current"] is None and card["late"] is False


def test_the_courier_is_callable_only_when_verified() -> None:
    out = {**SUMMARY, "status": "out_for_delivery", "courier": {"name": "王强", "phone": "138****5678"}}
    assert tracking_card(out)["courier"] == {"title": "王强", "text": "138****5678", "callable": False}
    full = {**out, "courier": {"name": "王强", "phone": "13812345678"}, "events": []}
    assert tracking_card(full, verified=True)["courier"]["callable"] is True


def test_traditional_customers_get_the_card_in_traditional_with_payloads_untouched() -> None:
    card = tracking_card(SUMMARY)
    shown = convert_message({"custom": card}, ReplyScript(traditional=True).convert)["custom"]
    assert shown["route"]["destination"]["title"] == "廣州" and shown["title"] == "延誤"
    assert shown["timeline"][0]["text"].startswith("受天氣影響")
    assert [a["title"] for a in shown["actions"]][:2] == ["催件", "改地址"]
    assert shown["actions"][0]["payload"] == hurry_payload("ZT100000000003")
    assert shown["tracking_number"] == "ZT100000000003" and shown["status"] == "delayed"


def test_the_tracking_answer_carries_the_card_beside_its_text(client: BackendClient) -> None:
    parcel = BY_STATUS["out_for_delivery"]
    text = f"查件 {parcel.number}"
    messages, _ = run(ActionTrackParcel(), make_tracker(latest=user(text, "track_parcel",
                                                                    [entity("tracking_number", parcel.number, text)])))
    with_card = [m for m in messages if m.get("custom")]
    assert len(with_card) == 1 and with_card[0]["text"].startswith("🛵")  # the text stays the answer
    card = with_card[0]["custom"]
    assert card["tracking_number"] == parcel.number and card["courier"]["title"]
    assert "****" in card["courier"]["text"] and card["courier"]["callable"] is False
    assert "派送快递员" in with_card[0]["text"] and card["courier"]["text"] in with_card[0]["text"]
    assert parcel.sender_phone not in json.dumps(card) and parcel.receiver_phone not in json.dumps(card)


def test_the_verified_answer_carries_the_full_card(client: BackendClient) -> None:
    parcel = BY_STATUS["out_for_delivery"]
    tracker = make_tracker(slots={"tracking_number": parcel.number, "awaiting_verification": True},
                           latest=user(parcel.receiver_phone[-4:], "inform"))
    messages, _ = run(ActionVerifyParcel(), tracker)
    card = next(m["custom"] for m in messages if m.get("custom"))
    assert card["complete"] is True and len(card["timeline"]) > 1
    assert card["courier"]["callable"] is True and card["courier"]["text"].isdigit()
    # the card carries no sender or receiver detail (the text has them, masked)
    assert parcel.sender_phone not in json.dumps(card) and parcel.receiver_phone not in json.dumps(card)
