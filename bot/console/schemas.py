"""Request bodies of the handoff service API (actions, channel gate) and the console API (agents)."""

from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import Extra, StrictBool, conint, conlist, constr, validator

from bot.backend.public import CleanInput, Fen, normalize_phone
from bot.vocabulary.handoff_reasons import REASONS, HandoffReason

ConversationId = constr(strip_whitespace=True, min_length=1, max_length=128)
Channel = constr(strip_whitespace=True, min_length=1, max_length=16)
MessageText = constr(strip_whitespace=True, min_length=1, max_length=4000)


class _Body(CleanInput):
    class Config:
        extra = Extra.ignore
        max_anystr_length = 8000


class TranscriptLine(_Body):
    role: Literal["user", "bot"]
    text: constr(max_length=4000)  # type: ignore[valid-type]
    at: Optional[float] = None


class HandoffIn(_Body):
    conversation_id: ConversationId  # type: ignore[valid-type]
    channel: Channel = "rest"  # type: ignore[valid-type]
    reason: str
    intent: Optional[constr(max_length=64)] = None  # type: ignore[valid-type]
    slots: dict[str, Any] = {}
    transcript: conlist(TranscriptLine, max_items=300) = []  # type: ignore[valid-type]
    customer_phone: Optional[str] = None
    is_vip: StrictBool = False
    account_manager: Optional[constr(max_length=64)] = None  # type: ignore[valid-type]

    class Config:
        scrubbed_fields = frozenset({"slots", "transcript"})

    @validator("reason")
    def known_reason(cls, value: str) -> str:  # noqa: N805 - pydantic validators take the class
        if value not in REASONS:
            raise ValueError(f"reason must be one of {', '.join(REASONS)}")
        return value

    @validator("customer_phone", pre=True)
    def phone(cls, value: Any) -> str | None:  # noqa: N805
        if value in (None, ""):
            return None
        try:
            return normalize_phone(str(value)[:32])
        except ValueError:
            return None  # a malformed number in a slot must not block the handoff

    @validator("slots")
    def small_slots(cls, value: dict[str, Any]) -> dict[str, Any]:  # noqa: N805
        if len(value) > 80:
            raise ValueError("too many slots")
        return {str(k)[:64]: v for k, v in value.items() if v is not None and len(str(v)) <= 1000}


class InboundIn(_Body):
    conversation_id: ConversationId  # type: ignore[valid-type]
    text: MessageText  # type: ignore[valid-type]
    channel: Channel = "rest"  # type: ignore[valid-type]

    class Config:
        scrubbed_fields = frozenset({"text"})


class CallbackIn(_Body):
    conversation_id: ConversationId  # type: ignore[valid-type]
    channel: Optional[Channel] = None  # type: ignore[valid-type]
    phone: str
    reason: str = HandoffReason.ASKED_FOR_HUMAN
    consent: StrictBool
    is_vip: StrictBool = False

    @validator("phone", pre=True)
    def valid_phone(cls, value: Any) -> str:  # noqa: N805
        if not isinstance(value, str):
            raise ValueError("not a valid phone number")
        return normalize_phone(value[:32])


class LoginIn(_Body):
    username: constr(strip_whitespace=True, min_length=1, max_length=64)  # type: ignore[valid-type]
    password: constr(min_length=1, max_length=200)  # type: ignore[valid-type]


class AgentMessageIn(_Body):
    text: MessageText  # type: ignore[valid-type]


class QuickComplaintIn(_Body):
    category: str
    description: constr(strip_whitespace=True, min_length=1, max_length=2000)  # type: ignore[valid-type]
    contact_phone: Optional[str] = None
    tracking_number: Optional[constr(strip_whitespace=True, max_length=24)] = None  # type: ignore[valid-type]


class QuickClaimIn(_Body):
    tracking_number: constr(strip_whitespace=True, min_length=1, max_length=24)  # type: ignore[valid-type]
    claim_type: str
    description: constr(strip_whitespace=True, min_length=1, max_length=2000)  # type: ignore[valid-type]
    contact_phone: Optional[str] = None
    claimed_amount_fen: Optional[Fen] = None  # type: ignore[valid-type]
    insured: Optional[StrictBool] = None
    declared_value_fen: Optional[Fen] = None  # type: ignore[valid-type]


class ReviewEntityIn(_Body):
    """An entity a supervisor marks in a reviewed message: characters [start, end) of its (masked) text."""

    start: conint(ge=0, le=4000)  # type: ignore[valid-type]
    end: conint(ge=1, le=4000)  # type: ignore[valid-type]
    entity: constr(strip_whitespace=True, min_length=1, max_length=64)  # type: ignore[valid-type]
    role: Optional[constr(strip_whitespace=True, min_length=1, max_length=32)] = None  # type: ignore[valid-type]


class ReviewLabelIn(_Body):
    id: conint(ge=1)  # type: ignore[valid-type]
    intent: constr(strip_whitespace=True, min_length=1, max_length=64)  # type: ignore[valid-type]
    entities: conlist(ReviewEntityIn, max_items=20) = []  # type: ignore[valid-type]


class ReviewLabelsIn(_Body):
    """A supervisor's labels, e.g. one intent for every message of a group."""

    items: conlist(ReviewLabelIn, min_items=1, max_items=100)  # type: ignore[valid-type]
