"""The base of every form's validation action: what each of them did the same way, written once.

Every `validate_<form>` action asks which slot the form asked for, tells an answer from a message that is no
answer (a FAQ, cancel, a person, off-topic talk: their rules answer it), and refuses a value with one hint that
replaces the slot's question this turn (`actions/form_questions.py`). Subclasses keep only their own
`extract_<slot>` / `validate_<slot>` methods. The pattern is the one of Rasa's financial-demo
(`actions/custom_forms.py`): a `FormValidationAction` subclass the forms share.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import ticket_text as tt
from actions.form_questions import ask_again
from actions.forms_common import is_off_topic
from bot.vocabulary.phones import normalise_mobile

# Which numbers a phone slot takes (bot/vocabulary/phones.py), said wherever one is refused.
PHONE_KINDS = "11 位的内地手机号（比如 13812345678），香港、台湾的手机号也可以（比如 +852 9123 4567、0912 345 678）"
PHONE_HINT = f"抱歉，这个手机号好像不太对，请发一个{PHONE_KINDS}。"
# Free text kept on a ticket is cut here (the backend's column is as long).
MAX_TEXT = 2000


class FormValidation(FormValidationAction, ABC):
    """A form's validation action. Abstract (the SDK registers only concrete actions): each form names itself."""

    @abstractmethod
    def name(self) -> str:
        """validate_<form name>."""

    # ---- what the form asked, and whether this message answers it ------------------------------------
    @staticmethod
    def asked(tracker: Tracker) -> str | None:
        """The slot the form asked for last (None when the form is just activated)."""
        return tracker.get_slot("requested_slot")

    @classmethod
    def is_asked(cls, tracker: Tracker, slot: str) -> bool:
        return cls.asked(tracker) == slot

    @staticmethod
    def interrupting(tracker: Tracker) -> bool:
        """A FAQ, cancel or a person: the shared rules answer, and the form must not take the text."""
        return tt.latest_intent(tracker) in tt.INTERRUPTING_INTENTS

    @classmethod
    def not_an_answer(cls, tracker: Tracker) -> bool:
        """Interrupting, or off topic: the form leaves the message to its rule."""
        return cls.interrupting(tracker) or is_off_topic(tracker)

    # ---- refusing a value ----------------------------------------------------------------------------
    @staticmethod
    def refuse(dispatcher: CollectingDispatcher, domain: DomainDict, slot: str, hint: str,
               buttons: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """Empty the slot and say what fits with an example; the hint is the question this turn."""
        ask_again(dispatcher, domain, slot, hint, buttons=buttons)
        return {slot: None}

    # ---- answers several forms take the same way -------------------------------------------------------
    @classmethod
    def phone_answer(cls, slot: str, value: Any, dispatcher: CollectingDispatcher,
                     domain: DomainDict) -> dict[str, Any]:
        """A mainland, Taiwan or Hong Kong mobile number in its stored form, or the phone hint."""
        phone = normalise_mobile(value)
        if phone:
            return {slot: phone}
        return cls.refuse(dispatcher, domain, slot, PHONE_HINT)

    @classmethod
    def text_answer(cls, slot: str, value: Any, dispatcher: CollectingDispatcher, domain: DomainDict,
                    hint: str) -> dict[str, Any]:
        """Free text of at least two characters (a description), cut to what a ticket keeps."""
        text = str(value or "").strip()
        if len(text) < 2:
            return cls.refuse(dispatcher, domain, slot, hint)
        return {slot: text[:MAX_TEXT]}
