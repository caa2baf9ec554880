"""The status look-up of a ticket kind (complaint, claim): its one-slot form and the action that answers.

Both kinds are looked up the same way (actions/ticket_lookup.py holds the privacy rules); a kind's module
subclasses these two classes with its `TicketKind`, which gives the slot, the texts and the backend calls.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import ticket_lookup as lookup
from actions import ticket_text as tt
from actions.common import call_backend, utter_backend_down
from actions.form_validation import FormValidation
from actions.forms_common import asks_for_another_task
from bot.clients.backend import BackendUnavailable, InvalidInput, NotFound, TooManyAttempts, get_client
from bot.vocabulary.phones import normalise_mobile
from bot.vocabulary.question_kind import is_general_question


def status_lines(label: str, ticket: dict[str, Any], kind_text: str) -> list[str]:
    """The first lines of a ticket's details: its number and type, and its stage with when it last changed."""
    changed = tt.last_change(ticket.get("history")) or ticket.get("created_at")
    return [
        f"{label}单 {ticket.get('number')}（{kind_text}）",
        f"当前进度：{ticket.get('stage_text') or ticket.get('stage')}（更新于 {tt.format_time(changed)}）",
    ]


class TicketStatusValidation(FormValidation, ABC):
    """`validate_<kind>_status_form`. One slot: a ticket number (plus the phone's last 4 digits unless this chat
    filed it), or the phone it was filed with plus proof (see actions/ticket_lookup.py)."""

    @property
    @abstractmethod
    def kind(self) -> lookup.TicketKind:
        """The ticket kind looked up (a class attribute in each subclass)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        kind = cls.__dict__.get("kind")
        if isinstance(kind, lookup.TicketKind):
            # The SDK finds a slot's methods by name: extract_<slot> and validate_<slot>.
            setattr(cls, f"extract_{kind.slot}", cls.extract_lookup)
            setattr(cls, f"validate_{kind.slot}", cls.validate_lookup)

    def name(self) -> str:
        return f"validate_{self.kind.prefix}_status_form"

    async def extract_lookup(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        kind = self.kind
        number = tt.number_in(tracker, kind.entity, kind.pattern)
        if number:
            return {kind.slot: number}
        phone = tt.phone_in(tracker)
        if phone:
            return {kind.slot: phone}
        asked = self.asked(tracker)
        if asked is None and is_general_question(tt.latest_text(tracker)):
            dispatcher.utter_message(text=kind.rule_text() + f"如果想查您自己的{kind.label}进度，发我{kind.number_hint}"
                                                              f"或{kind.filed_verb}时的手机号就可以。")
            return {kind.slot: lookup.ANSWERED}
        if asked == kind.slot and not self.interrupting(tracker) and not asks_for_another_task(tracker):
            return {kind.slot: tt.latest_text(tracker)}
        if asked is None:
            known = (kind.remembered_slot and tracker.get_slot(kind.remembered_slot)) or tracker.get_slot("phone")
            if known:
                return {kind.slot: known}
        return {}

    async def validate_lookup(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        kind = self.kind
        if value == lookup.ANSWERED:
            return {kind.slot: lookup.ANSWERED}
        text = str(value or "")
        found = kind.pattern.search(text)
        if found:
            return await lookup.by_number(dispatcher, tracker, kind, found.group(0).upper())
        ticket = lookup.pending_ticket(tracker, kind)
        if ticket:
            last4 = lookup.phone_last4_in(text)
            if last4:
                return await lookup.by_ticket_proof(dispatcher, kind, ticket, last4, tracker.sender_id)
            return lookup.ask_phone_digits_again(dispatcher, kind, ticket)
        phone = normalise_mobile(text)
        if phone:
            return await lookup.by_phone(dispatcher, domain, tracker, kind, phone)
        pending = lookup.pending_phone(tracker, kind)
        if pending:
            last4 = lookup.proof_in(text)
            if last4:
                return await lookup.by_proof(dispatcher, tracker, kind, pending, last4)
            return lookup.ask_proof_again(dispatcher, kind, pending)
        return self.refuse(dispatcher, domain, kind.slot, kind.unrecognised_hint)


class TicketStatus(Action, ABC):
    """`action_<kind>_status`. What the look-up form found was shown while validating; a number left in the slot
    is shown here, in full only for this chat's own tickets (the backend decides)."""

    @property
    @abstractmethod
    def kind(self) -> lookup.TicketKind:
        """The ticket kind looked up (a class attribute in each subclass)."""

    def name(self) -> str:
        return f"action_{self.kind.prefix}_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        kind = self.kind
        key = str(tracker.get_slot(kind.slot) or "")
        done = [SlotSet(kind.slot, None)]
        if not key or key == lookup.ANSWERED:
            return done
        numbers = lookup.ticket_numbers(key, kind.pattern)
        client = get_client()
        try:
            if not numbers:
                phone = normalise_mobile(key)
                if phone:  # never a list by phone: how many, and what to send for details
                    counts = await call_backend(kind.count, client, phone)
                    dispatcher.utter_message(text=lookup.count_text(kind, phone, counts)
                                             + f"查看详情请发{kind.number_hint}。")
                return done
            tickets = [await call_backend(kind.get, client, number, tracker.sender_id) for number in numbers]
        except NotFound:
            dispatcher.utter_message(text=f"没有查到{kind.label}单 {key}，请核对一下单号（{kind.code} 开头），"
                                          f"或者告诉我{kind.filed_verb}时的手机号。")
            return done
        except (BackendUnavailable, InvalidInput, TooManyAttempts):
            utter_backend_down(dispatcher)
            return done
        intro = "" if len(tickets) == 1 else f"为您找到 {len(tickets)} 条{kind.label}：\n"
        dispatcher.utter_message(text=intro + "\n\n".join(
            kind.describe(t) if t.get("details") else lookup.stage_text(kind, t) for t in tickets))
        return done
