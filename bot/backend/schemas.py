"""Request bodies (pydantic v1). Limits here are the first line against absurd input: every string has a
maximum length, every number a range, money is a strict integer in fen."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Literal, Optional

from pydantic import Extra, StrictBool, condecimal, conint, constr, validator

from bot.backend.input_hygiene import CleanInput
from bot.vocabulary import phones

Weight = condecimal(gt=Decimal(0), le=Decimal(100000), max_digits=12, decimal_places=3)
Size = condecimal(gt=Decimal(0), le=Decimal(100000), max_digits=10, decimal_places=2)
Fen = conint(strict=True, ge=0, le=10**11)
ShortText = constr(strip_whitespace=True, min_length=1, max_length=64)
Place = constr(strip_whitespace=True, min_length=1, max_length=32)
Address = constr(strip_whitespace=True, min_length=2, max_length=200)
Description = constr(strip_whitespace=True, min_length=1, max_length=2000)
Note = constr(strip_whitespace=True, max_length=500)
ConversationId = constr(strip_whitespace=True, min_length=1, max_length=128)
ServiceLevel = Literal["standard", "express"]
Channel = constr(strip_whitespace=True, max_length=16)

_PHONE_NOISE = re.compile(r"[\s\-()（）]")
_LANDLINE = re.compile(r"0[0-9]{9,11}")


def normalize_phone(value: str) -> str:
    """A mobile in its stored form (bot/vocabulary/phones.py: the mainland's 11 digits, +886… for Taiwan,
    +852… for Hong Kong) or a mainland landline with area code; spaces, dashes and +86 are dropped."""
    mobile = phones.normalise_mobile(value)
    if mobile:
        return mobile
    text = _PHONE_NOISE.sub("", value or "")
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    if _LANDLINE.fullmatch(text):
        return text
    raise ValueError("not a valid phone number")


class _Body(CleanInput):
    class Config:
        extra = Extra.ignore
        anystr_strip_whitespace = True
        max_anystr_length = 5000


def _phone(field: str, optional: bool = False):  # type: ignore[no-untyped-def]
    def check(cls, value):  # type: ignore[no-untyped-def]
        if value is None and optional:
            return None
        if not isinstance(value, str) or len(value) > 32:
            raise ValueError("not a valid phone number")
        return normalize_phone(value)

    return validator(field, pre=True, allow_reuse=True)(check)


class VerifyIn(_Body):
    phone_last4: constr(regex=r"^[0-9]{4}$")  # type: ignore[valid-type]


class QuoteIn(_Body):
    origin: Place  # type: ignore[valid-type]
    destination: Place  # type: ignore[valid-type]
    weight_kg: Weight  # type: ignore[valid-type]
    length_cm: Optional[Size] = None  # type: ignore[valid-type]
    width_cm: Optional[Size] = None  # type: ignore[valid-type]
    height_cm: Optional[Size] = None  # type: ignore[valid-type]
    service_level: ServiceLevel = "standard"
    declared_value_fen: Optional[Fen] = None  # type: ignore[valid-type]
    needs_msds: StrictBool = False
    item: Optional[constr(strip_whitespace=True, max_length=200)] = None  # type: ignore[valid-type]
    contact_phone: Optional[str] = None

    _contact = _phone("contact_phone", optional=True)


class PickupIn(_Body):
    sender_name: ShortText  # type: ignore[valid-type]
    sender_phone: str
    pickup_address: Address  # type: ignore[valid-type]
    origin: Place  # type: ignore[valid-type]
    destination: Place  # type: ignore[valid-type]
    item: constr(strip_whitespace=True, min_length=1, max_length=200)  # type: ignore[valid-type]
    time_window: constr(strip_whitespace=True, min_length=1, max_length=64)  # type: ignore[valid-type]
    weight_kg: Optional[Weight] = None  # type: ignore[valid-type]
    receiver_name: Optional[ShortText] = None  # type: ignore[valid-type]
    receiver_phone: Optional[str] = None
    receiver_address: Optional[Address] = None  # type: ignore[valid-type]
    service_level: ServiceLevel = "standard"
    declared_value_fen: Optional[Fen] = None  # type: ignore[valid-type]
    conversation_id: Optional[ConversationId] = None  # type: ignore[valid-type]

    _sender = _phone("sender_phone")
    _receiver = _phone("receiver_phone", optional=True)


ComplaintCategory = Literal["delay", "damage", "loss", "attitude", "pickup", "delivery", "other"]
ComplaintStageName = Literal["registered", "verifying", "handling", "feedback_given", "archived"]


class ComplaintIn(_Body):
    category: ComplaintCategory
    description: Description  # type: ignore[valid-type]
    contact_phone: str
    tracking_number: Optional[constr(strip_whitespace=True, max_length=24)] = None  # type: ignore[valid-type]
    channel: Optional[Channel] = None  # type: ignore[valid-type]
    conversation_id: Optional[ConversationId] = None  # type: ignore[valid-type]

    _contact = _phone("contact_phone")


class StageIn(_Body):
    stage: ComplaintStageName
    note: Optional[Note] = None  # type: ignore[valid-type]


ClaimType = Literal["damage", "loss", "missing", "delay"]


class ClaimIn(_Body):
    tracking_number: constr(strip_whitespace=True, min_length=1, max_length=24)  # type: ignore[valid-type]
    claim_type: ClaimType
    insured: Optional[StrictBool] = None
    declared_value_fen: Optional[Fen] = None  # type: ignore[valid-type]
    freight_fen: Optional[Fen] = None  # type: ignore[valid-type]
    claimed_amount_fen: Optional[Fen] = None  # type: ignore[valid-type]
    description: Description  # type: ignore[valid-type]
    contact_phone: str
    conversation_id: Optional[ConversationId] = None  # type: ignore[valid-type]

    _contact = _phone("contact_phone")


class DecisionIn(_Body):
    approved: StrictBool
    approved_amount_fen: Optional[Fen] = None  # type: ignore[valid-type]
    note: Optional[Note] = None  # type: ignore[valid-type]


class ChatUploadIn(_Body):
    # A reference from POST /chat/uploads; its exact form is checked by services/chat_uploads.py.
    upload: constr(strict=True, min_length=1, max_length=120)  # type: ignore[valid-type]


class RatingIn(_Body):
    score: conint(strict=True, ge=1, le=5)  # type: ignore[valid-type]
    comment: Optional[Note] = None  # type: ignore[valid-type]
    conversation_id: Optional[ConversationId] = None  # type: ignore[valid-type]
    ticket_number: Optional[constr(strip_whitespace=True, max_length=24)] = None  # type: ignore[valid-type]


class ConversationEventIn(_Body):
    # fallback: a message the assistant did not understand (the KPI page's fallback rate)
    type: Literal["started", "resolved", "handed_off", "fallback"]
    channel: Optional[Channel] = None  # type: ignore[valid-type]
    reason: Optional[constr(strip_whitespace=True, max_length=64)] = None  # type: ignore[valid-type]


class SubscribeIn(_Body):
    conversation_id: ConversationId  # type: ignore[valid-type]
    channel: constr(strip_whitespace=True, min_length=1, max_length=32, regex=r"^[A-Za-z0-9_.\-]+$")  # type: ignore[valid-type]  # noqa: E501


class HurryIn(_Body):
    """催件: the chat that asked (optional: an agent may record one from the console or the hotline)."""

    conversation_id: Optional[ConversationId] = None  # type: ignore[valid-type]
    channel: Optional[constr(strip_whitespace=True, min_length=1, max_length=32, regex=r"^[A-Za-z0-9_.\-]+$")] = None  # type: ignore[valid-type]  # noqa: E501


ParcelStatus = Literal["collected", "in_transit", "at_hub", "out_for_delivery", "delivered", "exception", "delayed",
                       "returned"]


class ParcelEventIn(_Body):
    status: ParcelStatus
    city: Optional[Place] = None  # type: ignore[valid-type]
    description: Optional[constr(strip_whitespace=True, min_length=1, max_length=200)] = None  # type: ignore[valid-type]
    signed_by: Optional[ShortText] = None  # type: ignore[valid-type]
