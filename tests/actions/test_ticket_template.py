"""The ticket template (actions/tickets.py, actions/ticket_status.py): complaints and claims are one set of
classes parameterised by their kind, registered under the action names the domain lists."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

from actions import claims, complaints
from actions.ticket_status import TicketStatus, TicketStatusValidation, status_lines
from actions.tickets import (
    NO_TRACKING,
    AskTicketConfirmed,
    SubmitTicket,
    TicketForm,
    TicketFormValidation,
    choice_from_text,
)
from tests.actions.action_helpers import DOMAIN, make_tracker, user

TEMPLATES = (TicketFormValidation, AskTicketConfirmed, SubmitTicket, TicketStatusValidation, TicketStatus)


def test_the_templates_are_abstract_and_each_kind_is_registered_under_its_domain_names() -> None:
    assert all(inspect.isabstract(template) for template in TEMPLATES)
    executor = ActionExecutor()
    executor.register_package("actions")
    for prefix in ("complaint", "claim"):
        for name in (f"validate_{prefix}_form", f"action_ask_{prefix}_confirmed", f"action_submit_{prefix}",
                     f"validate_{prefix}_status_form", f"action_{prefix}_status"):
            assert name in executor.actions, name
            assert name in DOMAIN["actions"], name  # the domain still names every one of them


def test_each_kind_answers_the_shared_questions_under_its_own_slot_names() -> None:
    for form, prefix in ((claims.ValidateClaimForm, "claim"), (complaints.ValidateComplaintForm, "complaint")):
        for verb, field in (("extract", "tracking_number"), ("extract", "phone"), ("extract", "confirmed"),
                            ("validate", "tracking_number"), ("validate", "description"), ("validate", "phone"),
                            ("validate", "confirmed")):
            assert getattr(form, f"{verb}_{prefix}_{field}") is getattr(TicketFormValidation, f"_{verb}_{field}")
    for status, slot in ((claims.ValidateClaimStatusForm, "claim_lookup"),
                         (complaints.ValidateComplaintStatusForm, "complaint_lookup")):
        assert getattr(status, f"extract_{slot}") is TicketStatusValidation.extract_lookup
        assert getattr(status, f"validate_{slot}") is TicketStatusValidation.validate_lookup


WIDGET = TicketForm(
    prefix="widget", label="测试", slots=("widget_phone",), summary=lambda slots: "", create=lambda *a, **k: {},
    description_hint="多说一点", tracking_hint="单号不对", correction_example="电话是139……", correction_hint="改什么",
    kept_text="已保存", held_text="已保留", retry_refused_text="没能提交",
)


class _WidgetForm(TicketFormValidation):
    """A kind that answers one shared question its own way (only ever instantiated here)."""

    form = WIDGET

    def validate_widget_phone(self, value: Any, dispatcher: CollectingDispatcher, tracker: Any,
                              domain: Any) -> dict[str, Any]:
        return {"widget_phone": "own"}

    def corrections(self, tracker: Any) -> dict[str, Any]:
        return {}


def test_a_kind_may_keep_its_own_answer_to_a_shared_question() -> None:
    assert _WidgetForm.validate_widget_phone is not TicketFormValidation._validate_phone
    assert _WidgetForm.extract_widget_phone is TicketFormValidation._extract_phone
    assert _WidgetForm().name() == "validate_widget_form"


def test_no_tracking_number_is_an_answer_only_where_the_kind_allows_it() -> None:
    def asked_for_tracking(prefix: str) -> Any:
        return make_tracker(slots={"requested_slot": f"{prefix}_tracking_number"}, latest=user("没有", "deny"))

    complaint_form, claim_form = complaints.ValidateComplaintForm(), claims.ValidateClaimForm()
    dispatcher = CollectingDispatcher()
    complaint = asyncio.run(complaint_form.extract_complaint_tracking_number(
        dispatcher, asked_for_tracking("complaint"), DOMAIN))
    assert complaint == {"complaint_tracking_number": NO_TRACKING}
    assert complaint_form.validate_complaint_tracking_number(NO_TRACKING, dispatcher, asked_for_tracking(
        "complaint"), DOMAIN) == {"complaint_tracking_number": NO_TRACKING}
    claim = asyncio.run(claim_form.extract_claim_tracking_number(dispatcher, asked_for_tracking("claim"), DOMAIN))
    assert claim == {"claim_tracking_number": "没有"}
    assert claim_form.validate_claim_tracking_number("没有", dispatcher, asked_for_tracking("claim"), DOMAIN) == {
        "claim_tracking_number": None}
    assert dispatcher.messages[-1]["text"] == claims.CLAIM_FORM.no_digits_hint  # a claim needs a number


def test_the_confirmation_question_names_the_kind_and_its_example() -> None:
    for action, form in ((claims.ActionAskClaimConfirmed(), claims.CLAIM_FORM),
                         (complaints.ActionAskComplaintConfirmed(), complaints.COMPLAINT_FORM)):
        dispatcher = CollectingDispatcher()
        asyncio.run(action.run(dispatcher, make_tracker(latest=user("好")), DOMAIN))
        [message] = dispatcher.messages
        assert message["text"].startswith(f"请核对{form.label}信息：\n")
        assert message["text"].endswith(f"比如“{form.correction_example}”。")
        assert [b["payload"] for b in message["buttons"]] == ["确认", "不对，需要修改"]


def test_choices_by_number_code_label_or_word() -> None:
    choices = [("damage", "破损", ("压坏",)), ("loss", "丢失", ("不见了",))]
    assert choice_from_text("2", choices) == "loss"
    assert choice_from_text("damage", choices) == "damage"
    assert choice_from_text(" 丢失 ", choices) == "loss"
    assert choice_from_text("箱子压坏了", choices) == "damage"
    assert choice_from_text("3", choices) is None
    assert choice_from_text("别的", choices) is None


def test_a_tickets_status_starts_with_its_number_type_and_stage() -> None:
    ticket = {"number": "CL731055281901", "stage_text": "审核中", "created_at": "2026-11-23T06:05:00+00:00",
              "history": [{"at": "2026-11-24T02:00:00+00:00"}]}
    assert status_lines("理赔", ticket, "破损") == ["理赔单 CL731055281901（破损）", "当前进度：审核中（更新于 11月24日 10:00）"]
