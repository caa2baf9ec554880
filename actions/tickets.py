"""Filing a ticket (complaint, claim): the form's shared answers, its confirmation, the filing and its retry.

A complaint and a claim are filed the same way: a form whose last question shows a summary to confirm or
correct, then one backend call with an idempotency key; when the backend is down the ticket waits in the
durable outbox and in the conversation (`<kind>_pending`), and is filed once whichever comes first. A kind's
module (actions/complaints.py, actions/claims.py) gives a `TicketForm` with its slots and texts, and subclasses
the three classes below with what is its own (its other questions, its payload, what it says once filed).
"""

from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import deferred_writes
from actions import ticket_text as tt
from actions.claim_reading import is_account
from actions.common import call_backend
from actions.form_questions import hint_given
from actions.form_validation import FormValidation
from actions.forms_common import is_off_topic
from bot.clients.backend import BackendUnavailable, InvalidInput, get_client, idempotency_key
from bot.vocabulary import tracking_numbers
from bot.vocabulary.phones import mobiles_in

logger = logging.getLogger(__name__)

# The tracking-number slot's value for "this ticket names no parcel" (complaints only).
NO_TRACKING = "none"
CONFIRM_BUTTON = {"title": "确认提交", "payload": "确认"}
CONFIRM_BUTTONS = [CONFIRM_BUTTON, {"title": "需要修改", "payload": "不对，需要修改"}]
CONFIRM_HINT = "信息无误请回复“确认”；需要修改的话，直接告诉我改成什么就可以。"


@dataclass(frozen=True)
class TicketForm:
    """What one kind of ticket form says and calls; its slots are `<prefix>_<field>`."""

    prefix: str  # complaint / claim: slot names, action names, the outbox and idempotency kind
    label: str  # 投诉 / 理赔, as in 请核对投诉信息
    slots: tuple[str, ...]  # emptied once the ticket is filed, kept or refused
    summary: Callable[[dict[str, Any]], str]  # the confirmation's summary of the slots
    create: Callable[..., dict[str, Any]]  # the client's method: (client, payload, idempotency=key)
    description_hint: str  # a description too short
    tracking_hint: str  # a tracking number in no known format
    correction_example: str  # in the confirmation question: 要修改可以直接说，比如“…”
    correction_hint: str  # after "不对": what a correction looks like
    kept_text: str  # the backend is down, the outbox keeps the ticket
    held_text: str  # the outbox could not either: the conversation keeps it, the next message retries
    retry_refused_text: str  # a kept ticket the backend refused once it was back
    optional_tracking: bool = False  # "没有" answers the tracking number (NO_TRACKING)
    no_digits_hint: str | None = None  # a tracking "number" without a digit, when it gets a hint of its own

    def slot(self, field: str) -> str:
        return f"{self.prefix}_{field}"


# "，我电话" / "聯繫電話是" just before a phone written inside an account (either script).
_PHONE_LABEL = re.compile(r"[，,、；;\s]*(?:我的?|本人)?(?:联系|聯繫|聯絡)?(?:电话|電話|手机|手機)(?:号码?|號碼?)?(?:是|係)?[：:\s]*$")


def without_contact_phone(text: str, phone: str | None) -> str:
    """An account with the customer's own phone taken out, with its label ("…碎了，电话139…" → "…碎了"): it has
    its own slot, and the summary and the ticket show the account unmasked. Other numbers (a courier's) stay."""
    kept, last = [], 0
    for start, end, stored in mobiles_in(text):
        if stored != phone:
            continue
        kept.append(_PHONE_LABEL.sub("", text[last:start]))
        last = end
    kept.append(text[last:])
    return re.sub(r"^[，,、；;\s]+|[，,、；;\s]+$", "", "".join(kept))


def choice_from_text(text: str, choices: list[tuple[str, str, tuple[str, ...]]]) -> str | None:
    """The code of the choice a free-text answer names: its number in the list ("2"), its code or label, or one
    of its words (`choices` holds (code, label, words); the buttons come in list order)."""
    text = text.strip()
    if text.isdigit() and 1 <= int(text) <= len(choices):
        return choices[int(text) - 1][0]
    for code, label, words in choices:
        if text in (code, label) or any(word in text for word in words):
            return code
    return None


async def file_ticket(form: TicketForm, payload: dict[str, Any], key: str) -> dict[str, Any]:
    return await call_backend(form.create, get_client(), payload, idempotency=key)


# ---- the form ------------------------------------------------------------------------------------------
# The questions every ticket form asks alike; the SDK finds them by slot name (extract_<prefix>_phone…).
_SHARED_METHODS = {
    "extract": ("tracking_number", "phone", "confirmed"),
    "validate": ("tracking_number", "description", "phone", "confirmed"),
}


class TicketFormValidation(FormValidation, ABC):
    """`validate_<prefix>_form`: the tracking number, description, phone and confirmation of a ticket form."""

    @property
    @abstractmethod
    def form(self) -> TicketForm:
        """The ticket form validated (a class attribute in each subclass)."""

    @abstractmethod
    def corrections(self, tracker: Tracker) -> dict[str, Any]:
        """The slots the customer corrects in the latest message, at the confirmation."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        form = cls.__dict__.get("form")
        if not isinstance(form, TicketForm):
            return
        for verb, fields in _SHARED_METHODS.items():
            for field in fields:
                method = f"{verb}_{form.slot(field)}"
                if method not in cls.__dict__:  # a kind may still answer a shared question its own way
                    setattr(cls, method, getattr(cls, f"_{verb}_{field}"))

    def name(self) -> str:
        return f"validate_{self.form.prefix}_form"

    def tells_other_details(self, tracker: Tracker) -> bool:
        """The message names what the form asks elsewhere ("丢了，值300块" when the number was asked): those slots
        take it, and the open question is asked again rather than refusing the message as its answer."""
        return False

    def account_out_of_turn(self, tracker: Tracker) -> str | None:
        """An account of what happened given to another question ("ZT… 还没到，已经延误一周了" for the category,
        "整箱丢了，里面的东西值300块" for the number): the description too, so it is not asked for again."""
        asked, slot = self.asked(tracker), self.form.slot("description")
        if asked in (None, slot, self.form.slot("confirmed")) or tracker.get_slot(slot) is not None:
            return None
        if self.interrupting(tracker) or not self.tells_other_details(tracker):
            return None
        return tt.raw_text(tracker) if is_account(tt.latest_text(tracker)) else None

    @staticmethod
    def only_numbers(tracker: Tracker) -> bool:
        """The message is a phone or a tracking number and nothing more: no description, whatever was asked."""
        text = tt.latest_text(tracker)
        for value in (tt.phone_in(tracker), tt.tracking_number_in(tracker)):
            if value:
                text = re.sub(r"[\s-]", "", text).upper().replace(value, "")
        return text != tt.latest_text(tracker) and len(re.sub(r"[\W_]|电话|手机|单号|号码|是", "", text)) < 2

    # ---- extraction ------------------------------------------------------------------------------------
    async def _extract_tracking_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        form = self.form
        slot, asked = form.slot("tracking_number"), self.asked(tracker)
        if asked == form.slot("confirmed"):
            return {}
        number = tt.tracking_number_in(tracker)
        if number:
            return {slot: number}
        if asked == slot:
            text = tt.latest_text(tracker)
            if form.optional_tracking and (tt.says_none(text) or tt.latest_intent(tracker) == "deny"):
                return {slot: NO_TRACKING}
            if tt.phone_in(tracker) or self.tells_other_details(tracker):
                return {}  # a phone is no tracking number: it fills the phone, and the number is asked again
            return {} if self.not_an_answer(tracker) else {slot: text}
        if asked is None and tracker.get_slot(slot) is None and tracker.get_slot("tracking_number"):
            return {slot: str(tt.first_value(tracker.get_slot("tracking_number"))).upper()}
        return {}

    async def _extract_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        form = self.form
        slot, asked = form.slot("phone"), self.asked(tracker)
        if asked == form.slot("confirmed"):
            return {}
        phone = tt.phone_in(tracker)
        if phone:
            return {slot: phone}
        if asked == slot:
            if tt.tracking_number_in(tracker) or self.tells_other_details(tracker):
                return {}  # a tracking number is no phone: it fills its own slot, and the phone is asked again
            return {} if self.not_an_answer(tracker) else {slot: tt.latest_text(tracker)}
        if asked is None and tracker.get_slot(slot) is None and tracker.get_slot("phone"):
            return {slot: tracker.get_slot("phone")}
        return {}

    async def _extract_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        slot = self.form.slot("confirmed")
        if self.asked(tracker) != slot:
            return {}
        if self.interrupting(tracker) and not tt.says_yes(tracker):
            return {}
        if is_off_topic(tracker) and not tt.says_yes(tracker) and not self.corrections(tracker):
            return {}
        return {slot: tt.latest_text(tracker) or "?"}

    # ---- validation ------------------------------------------------------------------------------------
    def _validate_tracking_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        form = self.form
        slot = form.slot("tracking_number")
        if form.optional_tracking and value == NO_TRACKING:
            return {slot: NO_TRACKING}
        found = tracking_numbers.IN_TEXT.search(str(value or "").replace(" ", ""))
        if found:
            return {slot: found.group(1).upper()}
        if form.no_digits_hint and not re.search(r"\d", str(value or "")):
            return self.refuse(dispatcher, domain, slot, form.no_digits_hint)
        return self.refuse(dispatcher, domain, slot, form.tracking_hint)

    def _validate_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        phone = tracker.get_slot(self.form.slot("phone")) or tt.phone_in(tracker)
        account = without_contact_phone(str(value or ""), phone)
        return self.text_answer(self.form.slot("description"), account, dispatcher, domain, self.form.description_hint)

    def _validate_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self.phone_answer(self.form.slot("phone"), value, dispatcher, domain)

    def _validate_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        slot = self.form.slot("confirmed")
        if value is True:
            return {slot: True}
        corrections = self.corrections(tracker)
        if corrections:
            # Show the corrected summary again (the form re-asks) rather than submitting on the spot.
            return {**corrections, slot: None}
        if tt.says_yes(tracker):
            return {slot: True}
        # Either hint is the question this turn: the summary was shown one message ago.
        if tt.says_no(tracker):
            return self.refuse(dispatcher, domain, slot, self.form.correction_hint, buttons=[])
        return self.refuse(dispatcher, domain, slot, CONFIRM_HINT, buttons=[CONFIRM_BUTTON])


class AskTicketConfirmed(Action, ABC):
    """`action_ask_<prefix>_confirmed`: the summary to confirm or correct, unless a hint asked this turn."""

    @property
    @abstractmethod
    def form(self) -> TicketForm:
        """The ticket form confirmed (a class attribute in each subclass)."""

    def name(self) -> str:
        return f"action_ask_{self.form.prefix}_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        form = self.form
        if hint_given(tracker, form.slot("confirmed")):
            return []
        dispatcher.utter_message(
            text=f"请核对{form.label}信息：\n" + form.summary(tracker.current_slot_values())
            + f"\n无误请回复“确认”；要修改可以直接说，比如“{form.correction_example}”。",
            buttons=CONFIRM_BUTTONS,
        )
        return []


# ---- filing --------------------------------------------------------------------------------------------
class SubmitTicket(Action, ABC):
    """`action_submit_<prefix>`: file the confirmed ticket once; keep it when the backend is down."""

    @property
    @abstractmethod
    def form(self) -> TicketForm:
        """The ticket form filed (a class attribute in each subclass)."""

    @abstractmethod
    def payload(self, tracker: Tracker) -> dict[str, Any]:
        """The backend's request body, from the form's slots."""

    @abstractmethod
    async def filed(self, dispatcher: CollectingDispatcher, tracker: Tracker, ticket: dict[str, Any],
                    pending: dict[str, Any]) -> list[EventType]:
        """Tell the customer the ticket is filed; the events this kind adds."""

    @abstractmethod
    async def refiled(self, dispatcher: CollectingDispatcher, tracker: Tracker, ticket: dict[str, Any],
                      pending: dict[str, Any]) -> list[EventType]:
        """The same for a kept ticket filed on a later turn."""

    @abstractmethod
    def refused_text(self, error: InvalidInput) -> str:
        """The backend refused the ticket: its reason and what to do."""

    def pending(self, tracker: Tracker, payload: dict[str, Any], key: str) -> dict[str, Any]:
        """What the conversation keeps to file it again (`<prefix>_pending`)."""
        return {"payload": payload, "key": key}

    def kept(self, pending: dict[str, Any]) -> dict[str, Any]:
        """What the outbox keeps to file it in the background (actions/outbox_delivery.py reads it)."""
        return {"body": pending["payload"]}

    def name(self) -> str:
        return f"action_submit_{self.form.prefix}"

    def cleared_form(self) -> list[EventType]:
        return [SlotSet(slot, None) for slot in self.form.slots]

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        form = self.form
        if not tracker.get_slot(form.slot("confirmed")):
            return [SlotSet("rating_due", False)]
        payload = self.payload(tracker)
        key = idempotency_key(tracker.sender_id, form.prefix, payload)
        pending = self.pending(tracker, payload, key)
        try:
            ticket = await file_ticket(form, payload, key)
        except BackendUnavailable:
            # Kept in the outbox (filed in the background) and in the slot (the next message retries and
            # shows the number), both with the same key: filed once whichever comes first.
            kept = await deferred_writes.keep(form.prefix, key, tracker.sender_id, self.kept(pending))
            dispatcher.utter_message(text=form.kept_text if kept else form.held_text)
            return [*self.cleared_form(), SlotSet(form.slot("pending"), pending), SlotSet("rating_due", False)]
        except InvalidInput as error:
            logger.info("%s refused by backend: %s", form.prefix, error.code)
            dispatcher.utter_message(text=self.refused_text(error))
            return [*self.cleared_form(), SlotSet("rating_due", False)]
        events = await self.filed(dispatcher, tracker, ticket, pending)
        return [*self.cleared_form(), SlotSet(form.slot("pending"), None), *events,
                SlotSet("rating_due", True), SlotSet("rating_ticket", ticket.get("number"))]

    async def retry_pending(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        """Called on every customer turn while a confirmed ticket of this kind waits for the backend."""
        form = self.form
        pending = tracker.get_slot(form.slot("pending"))
        if not isinstance(pending, dict) or not pending.get("payload"):
            return []
        try:
            ticket = await file_ticket(form, pending["payload"], pending["key"])
        except BackendUnavailable:
            return []
        except InvalidInput:
            await deferred_writes.forget(pending["key"])
            dispatcher.utter_message(text=form.retry_refused_text)
            return [SlotSet(form.slot("pending"), None)]
        await deferred_writes.forget(pending["key"])
        return [SlotSet(form.slot("pending"), None), *await self.refiled(dispatcher, tracker, ticket, pending)]
