"""Quote form extraction/validation and the quote action against the real backend."""

from __future__ import annotations

from actions.quotes import NO_DIMENSIONS, ActionQuote, ValidateQuoteForm
from bot.clients.backend import BackendClient
from tests.actions.action_helpers import entity, make_tracker, run, slot_events, texts, user


def in_form(text: str, requested: str | None, slots: dict | None = None, intent: str = "inform",
            entities: list | None = None, after: dict | None = None):
    base = {"requested_slot": requested, **(slots or {})}
    return make_tracker(slots=base, latest=user(text, intent, entities), active_loop="quote_form", after=after)


def test_values_in_the_first_message_are_not_asked_again() -> None:
    text = "从杭州寄5公斤到北京多少钱"
    tracker = make_tracker(
        latest=user(text, "request_quote", [entity("city", "杭州", text, "origin"),
                                              entity("city", "北京", text, "destination"),
                                              entity("weight", "5", text)]),
        after={"weight": "5"},
    )
    _, events = run(ValidateQuoteForm(), tracker)
    slots = slot_events(events)
    assert slots["origin"] == "杭州" and slots["destination"] == "北京" and slots["weight"] == "5"
    assert slots["dimensions"] is None and slots["service_level"] is None


def test_cities_found_in_text_with_cue_words_when_the_nlu_misses_them() -> None:
    tracker = make_tracker(latest=user("上海寄到广州要多少钱", "request_quote"))
    slots = slot_events(run(ValidateQuoteForm(), tracker)[1])
    assert slots["origin"] == "上海" and slots["destination"] == "广州"
    assert "weight" not in slots or slots["weight"] is None


def test_a_bare_city_answers_the_question_asked_whatever_role_the_nlu_guessed() -> None:
    tracker = in_form("上海", "origin", entities=[entity("city", "上海", "上海", "destination")])
    slots = slot_events(run(ValidateQuoteForm(), tracker)[1])
    assert slots["origin"] == "上海"
    assert "destination" not in slots or slots["destination"] is None


def test_traditional_city_names_are_normalised() -> None:
    tracker = in_form("廣州", "destination", slots={"origin": "上海"})
    assert slot_events(run(ValidateQuoteForm(), tracker)[1])["destination"] == "广州"


def test_weight_answers_in_units_customers_use() -> None:
    for text, kg in (("10斤", "5"), ("大概2.5kg", "2.5"), ("三公斤", "3"), ("500克", "0.5"), ("8", "8")):
        tracker = in_form(text, "weight", slots={"origin": "上海", "destination": "广州"})
        assert slot_events(run(ValidateQuoteForm(), tracker)[1])["weight"] == kg, text


def test_absurd_weight_is_refused_politely() -> None:
    messages, events = run(ValidateQuoteForm(), in_form("-3公斤", "weight"))
    messages2, events2 = run(ValidateQuoteForm(), in_form("不知道啊", "weight"))
    assert slot_events(events2)["weight"] is None and "重量" in texts(messages2)
    assert slot_events(events)["weight"] in (None, "3")


def test_dimensions_are_asked_once_and_can_be_skipped() -> None:
    slots = slot_events(run(ValidateQuoteForm(), in_form("不知道", "dimensions"))[1])
    assert slots["dimensions"] == NO_DIMENSIONS
    slots = slot_events(run(ValidateQuoteForm(), in_form("40*30*30cm", "dimensions"))[1])
    assert slots["dimensions"] == "40x30x30"
    messages, events = run(ValidateQuoteForm(), in_form("挺大的", "dimensions"))
    assert slot_events(events)["dimensions"] is None and "长x宽x高" in texts(messages)


def test_service_level_from_buttons_or_words() -> None:
    assert slot_events(run(ValidateQuoteForm(), in_form("特快", "service_level"))[1])["service_level"] == "express"
    assert slot_events(run(ValidateQuoteForm(), in_form("普通的就行", "service_level"))[1])["service_level"] == "standard"
    messages, events = run(ValidateQuoteForm(), in_form("嗯", "service_level"))
    assert slot_events(events)["service_level"] is None and "标准" in texts(messages)


def test_correction_mid_form_updates_the_value_and_says_so() -> None:
    text = "不对，是3公斤"
    tracker = in_form(text, "dimensions", slots={"origin": "杭州", "destination": "北京", "weight": "5"},
                      intent="deny", entities=[entity("weight", "3", text)], after={"weight": "3"})
    messages, events = run(ValidateQuoteForm(), tracker)
    assert slot_events(events)["weight"] == "3"
    assert "重量已改为 3 公斤" in texts(messages)


def test_faq_mid_form_is_not_taken_as_an_answer() -> None:
    tracker = in_form("到新疆要几天", "destination", intent="faq",
                      entities=[entity("city", "新疆", "到新疆要几天", "destination")])
    assert slot_events(run(ValidateQuoteForm(), tracker)[1]).get("destination") is None


def quote_slots(**extra) -> dict:
    return {"origin": "杭州", "destination": "北京", "weight": "5", "dimensions": NO_DIMENSIONS,
            "service_level": "standard", **extra}


def test_quote_is_itemised_with_total_and_delivery_time(client: BackendClient) -> None:
    messages, _ = run(ActionQuote(), make_tracker(slots=quote_slots()))
    shown = texts(messages)
    assert "从杭州寄到北京" in shown and "首重：¥" in shown and "续重：¥" in shown
    assert "合计：¥" in shown and "送达" in shown
    payloads = [button["payload"] for button in messages[0]["buttons"]]
    assert payloads == ["按尺寸重算", "换特快", "/schedule_pickup"]


def test_a_price_without_a_size_says_the_volumetric_rule_and_offers_to_refine(client: BackendClient) -> None:
    shown = texts(run(ActionQuote(), make_tracker(slots=quote_slots(dimensions=None, service_level=None)))[0])
    assert "标准快递" in shown and "计费重量 5 公斤" in shown and "体积重" in shown
    assert "长×宽×高厘米 ÷ 6000" in shown and "箱子30x20x10" in shown and "换特快" in shown


def test_a_price_with_a_size_and_express_offers_the_standard_service(client: BackendClient) -> None:
    messages, _ = run(ActionQuote(), make_tracker(slots=quote_slots(dimensions="40x30x30", service_level="express")))
    shown = texts(messages)
    assert "÷ 6000" not in shown and "换标准" in shown
    assert [button["payload"] for button in messages[0]["buttons"]] == ["换标准", "/schedule_pickup"]


def test_volumetric_weight_is_explained(client: BackendClient) -> None:
    slots = quote_slots(dimensions="40x30x30", service_level="express")
    shown = texts(run(ActionQuote(), make_tracker(slots=slots))[0])
    assert "体积重 6 公斤" in shown and "计费重量 6 公斤" in shown and "特快" in shown


def test_special_cargo_gets_a_quote_request_and_the_8_hour_promise(client: BackendClient) -> None:
    messages, _ = run(ActionQuote(), make_tracker(slots=quote_slots(weight="80"), sender="quote-special"))
    shown = texts(messages)
    assert "QR" in shown and "8 小时内" in shown
    again = texts(run(ActionQuote(), make_tracker(slots=quote_slots(weight="80"), sender="quote-special"))[0])
    number = next(w for w in shown.replace("，", " ").split() if w.startswith("QR"))
    assert number in again  # a retried request is replayed, not a second ticket


def test_backend_down_apologises(dead_client: BackendClient) -> None:
    shown = texts(run(ActionQuote(), make_tracker(slots=quote_slots()))[0])
    assert "抱歉" in shown and "转人工" in shown


def test_a_correction_while_asked_for_the_size_does_not_skip_the_size() -> None:
    text = "不对，是3公斤"
    tracker = in_form(text, "dimensions", slots={"weight": "5"}, intent="deny",
                      entities=[entity("weight", "3", text)], after={"weight": "3"})
    slots = slot_events(run(ValidateQuoteForm(), tracker)[1])
    assert slots["weight"] == "3" and slots.get("dimensions") is None


def test_a_short_answer_the_classifier_took_for_a_faq_is_still_the_answer() -> None:
    def taken(text: str) -> dict:
        slots = slot_events(run(ValidateQuoteForm(), in_form(text, "service_level", intent="faq"))[1])
        slots.pop("requested_slot", None)
        return slots

    assert taken("标准") == {"service_level": "standard"}
    assert taken("标准件怎么收费？") == {}


def test_a_declared_value_mentioned_in_the_conversation_adds_the_insurance_fee(client: BackendClient) -> None:
    opened = [user("杭州寄北京，保价2000元，多少钱", "request_quote"), {"event": "active_loop", "name": "quote_form"}]
    shown = texts(run(ActionQuote(), make_tracker(slots=quote_slots(), events=opened))[0])
    assert "保价费：¥" in shown
    answered = [user("寄快递多少钱", "request_quote"), {"event": "active_loop", "name": "quote_form"},
                user("杭州"), user("保价3000块")]
    assert "保价费：¥" in texts(run(ActionQuote(), make_tracker(slots=quote_slots(), events=answered))[0])
    earlier = [user("保价2000元"), user("算运费", "request_quote"), {"event": "active_loop", "name": "quote_form"}]
    assert "保价费" not in texts(run(ActionQuote(), make_tracker(slots=quote_slots(), events=earlier))[0])
