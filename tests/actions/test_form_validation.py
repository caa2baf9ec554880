"""The base every form's validation action shares (actions/form_validation.py): what was asked, what is no
answer, and a refusal that is one hint with the slot's question in its metadata."""

from __future__ import annotations

import inspect

from rasa_sdk.executor import CollectingDispatcher

from actions.claims import ValidateClaimForm, ValidateClaimStatusForm
from actions.complaints import ValidateComplaintForm, ValidateComplaintStatusForm
from actions.form_questions import ASKS_FOR
from actions.form_validation import MAX_TEXT, PHONE_HINT, FormValidation
from actions.pickups import ValidatePickupForm
from actions.quotes import ValidateQuoteForm
from actions.satisfaction import ValidateRatingForm
from actions.tracking import ValidateTrackingForm
from tests.actions.action_helpers import DOMAIN, make_tracker, user


def test_the_base_is_abstract_and_every_form_validator_uses_it() -> None:
    # Abstract: the SDK registers only concrete actions, so the base never answers as an action of its own.
    assert inspect.isabstract(FormValidation)
    for form in (ValidateTrackingForm, ValidateQuoteForm, ValidatePickupForm, ValidateComplaintForm,
                 ValidateClaimForm, ValidateComplaintStatusForm, ValidateClaimStatusForm, ValidateRatingForm):
        assert issubclass(form, FormValidation) and not inspect.isabstract(form), form


def test_what_the_form_asked() -> None:
    asked = make_tracker(slots={"requested_slot": "claim_phone"}, latest=user("13812345678"))
    assert FormValidation.asked(asked) == "claim_phone"
    assert FormValidation.is_asked(asked, "claim_phone")
    assert not FormValidation.is_asked(asked, "claim_amount")
    assert FormValidation.asked(make_tracker(latest=user("我要理赔", "file_claim"))) is None


def test_faq_cancel_a_person_and_off_topic_are_no_answer() -> None:
    for intent in ("faq", "cancel", "request_human"):
        tracker = make_tracker(latest=user("怎么寄生鲜", intent))
        assert FormValidation.interrupting(tracker) and FormValidation.not_an_answer(tracker), intent
    assert FormValidation.not_an_answer(make_tracker(latest=user("今天天气怎么样", "out_of_scope")))
    answer = make_tracker(latest=user("13812345678", "inform"))
    assert not FormValidation.interrupting(answer) and not FormValidation.not_an_answer(answer)


def test_a_refusal_empties_the_slot_and_is_the_question_this_turn() -> None:
    dispatcher = CollectingDispatcher()
    assert FormValidation.refuse(dispatcher, DOMAIN, "claim_amount", "请告诉我金额") == {"claim_amount": None}
    [message] = dispatcher.messages
    assert message["text"] == "请告诉我金额" and message[ASKS_FOR] == "claim_amount"


def test_a_refusal_keeps_the_questions_buttons_unless_told_otherwise() -> None:
    with_buttons = CollectingDispatcher()
    FormValidation.refuse(with_buttons, DOMAIN, "complaint_category", "请选一项")
    assert with_buttons.messages[0]["buttons"]  # the domain's question has category buttons
    without = CollectingDispatcher()
    FormValidation.refuse(without, DOMAIN, "complaint_category", "请选一项", buttons=[])
    assert without.messages[0]["buttons"] == []


def test_a_phone_is_normalised_or_refused_with_the_phone_hint() -> None:
    dispatcher = CollectingDispatcher()
    assert FormValidation.phone_answer("claim_phone", "138 1234 5678", dispatcher, DOMAIN) == {
        "claim_phone": "13812345678"}
    assert dispatcher.messages == []
    assert FormValidation.phone_answer("claim_phone", "12345", dispatcher, DOMAIN) == {"claim_phone": None}
    assert dispatcher.messages[0]["text"] == PHONE_HINT
    assert FormValidation.phone_answer("claim_phone", "+886 912 345 678", dispatcher, DOMAIN) == {
        "claim_phone": "+886912345678"}
    assert FormValidation.phone_answer("claim_phone", "9123 4567", dispatcher, DOMAIN) == {
        "claim_phone": "+85291234567"}
    assert FormValidation.phone_answer("claim_phone", "0212345678", dispatcher, DOMAIN) == {"claim_phone": None}
    assert len(dispatcher.messages) == 2 and "香港、台湾" in PHONE_HINT


def test_free_text_needs_two_characters_and_is_cut_to_what_a_ticket_keeps() -> None:
    dispatcher = CollectingDispatcher()
    assert FormValidation.text_answer("complaint_description", " 破 ", dispatcher, DOMAIN, "再说说") == {
        "complaint_description": None}
    assert dispatcher.messages[0]["text"] == "再说说"
    long = "快" * (MAX_TEXT + 50)
    kept = FormValidation.text_answer("complaint_description", long, dispatcher, DOMAIN, "再说说")
    assert kept == {"complaint_description": "快" * MAX_TEXT}
