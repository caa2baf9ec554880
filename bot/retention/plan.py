"""Which rows a purge or an erasure touches, and whether each is deleted or anonymised.

Conversations, transcripts, callbacks, subscriptions, notices and idempotency records are deleted. Tickets
(complaints, claims, quote requests), pickups, parcels, handoffs, ratings and conversation events are records
the company keeps (complaint and claim files for disputes and audits, counts for the KPIs): their personal
fields are emptied instead, and an open ticket or a parcel still on its way is kept whole until it is closed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.backend import models as backend
from bot.backend.models import (
    Claim,
    Complaint,
    ConversationEvent,
    Customer,
    IdempotencyRecord,
    Parcel,
    ParcelNotice,
    ParcelSubscription,
    Pickup,
    QuoteRequest,
    Rating,
    VerificationToken,
)
from bot.backend.services.claims import OPEN_STAGES as OPEN_CLAIM_STAGES
from bot.backend.services.complaints import OPEN_STAGES as OPEN_COMPLAINT_STAGES
from bot.backend.services.tracking import FINAL_STATUSES
from bot.console.public import CallbackRequest, Handoff, MessageRecord
from bot.retention import anonymise
from bot.retention.anonymise import ERASED_PREFIX

Anonymiser = Callable[[Session, Any], int]


@dataclass(frozen=True)
class Step:
    """Rows of `model` matching `where`: anonymised row by row, or deleted when `anonymise` is None."""

    label: str
    model: type
    where: ColumnElement
    anonymise: Anonymiser | None = None


@dataclass(frozen=True)
class Kept:
    """Rows that match but stay whole for now (an open ticket, a parcel on its way); the report counts them."""

    label: str
    model: type
    where: ColumnElement


def _not_erased(column: Any) -> ColumnElement:
    return ~column.startswith(ERASED_PREFIX)


_FINAL_PARCELS = select(Parcel.tracking_number).where(Parcel.status.in_(FINAL_STATUSES))


def purge_steps(cutoff: datetime, now: datetime) -> list[Step]:
    """Everything older than `cutoff` (naive UTC)."""
    steps = [
        Step("conversation events anonymised", ConversationEvent,
             and_(ConversationEvent.at < cutoff, _not_erased(ConversationEvent.conversation_id)),
             anonymise.conversation_event),
        Step("ratings anonymised", Rating, and_(Rating.created_at < cutoff, or_(
            Rating.comment.isnot(None), Rating.conversation_id.isnot(None))), anonymise.rating),
        Step("handoffs anonymised (transcripts and messages removed)", Handoff,
             and_(Handoff.created_at < cutoff, _not_erased(Handoff.conversation_id)), anonymise.handoff),
        Step("callback requests deleted", CallbackRequest, CallbackRequest.created_at < cutoff),
        # The review loop's per-message analytics (masked texts, labels): the next export leaves them out too.
        Step("message analytics deleted", MessageRecord, MessageRecord.at < cutoff),
        Step("parcel notices deleted", ParcelNotice, ParcelNotice.created_at < cutoff),
        Step("parcel subscriptions deleted", ParcelSubscription, and_(
            ParcelSubscription.created_at < cutoff,
            ~select(ParcelNotice.id).where(ParcelNotice.subscription_id == ParcelSubscription.id).exists())),
        Step("idempotency records deleted", IdempotencyRecord, IdempotencyRecord.created_at < cutoff),
        Step("expired verification tokens deleted", VerificationToken, VerificationToken.expires_at < now),
        Step("complaints anonymised", Complaint, and_(
            Complaint.created_at < cutoff, Complaint.stage.notin_(OPEN_COMPLAINT_STAGES), Complaint.contact_phone != ""),
            anonymise.complaint),
        Step("claims anonymised (evidence photos deleted)", Claim, and_(
            Claim.created_at < cutoff, Claim.stage.notin_(OPEN_CLAIM_STAGES), Claim.contact_phone != ""),
            anonymise.claim),
        Step("quote requests anonymised", QuoteRequest,
             and_(QuoteRequest.created_at < cutoff, QuoteRequest.contact_phone.isnot(None)), anonymise.quote_request),
        Step("pickups anonymised", Pickup, and_(Pickup.created_at < cutoff, Pickup.sender_phone != ""),
             anonymise.pickup),
        Step("parcels anonymised (sign-off photos deleted)", Parcel, and_(
            Parcel.created_at < cutoff, Parcel.status.in_(FINAL_STATUSES),
            or_(Parcel.sender_phone != "", Parcel.receiver_phone != "", Parcel.pod_photo_url.isnot(None))),
            anonymise.parcel),
    ]
    attempts = getattr(backend, "VerificationAttempts", None)
    if attempts is not None:  # wrong identity proofs per parcel or phone (issue 13 #3)
        steps.append(Step("identity-check counters deleted", attempts, and_(
            attempts.window_started_at < cutoff, or_(attempts.locked_until.is_(None), attempts.locked_until < now))))
    return steps


def purge_kept(cutoff: datetime) -> list[Kept]:
    return [
        Kept("open complaints older than the retention period", Complaint, and_(
            Complaint.created_at < cutoff, Complaint.stage.in_(OPEN_COMPLAINT_STAGES))),
        Kept("open claims older than the retention period", Claim, and_(
            Claim.created_at < cutoff, Claim.stage.in_(OPEN_CLAIM_STAGES))),
        Kept("parcels older than the retention period still on their way", Parcel, and_(
            Parcel.created_at < cutoff, Parcel.status.notin_(FINAL_STATUSES))),
    ]


@dataclass(frozen=True)
class Subject:
    """Whose data an erasure removes: phone numbers (as stored) and conversation ids."""

    phones: frozenset[str]
    conversations: frozenset[str]
    tickets: frozenset[str]


def find_subject(session: Session, phones: Collection[str], conversations: Collection[str]) -> Subject:
    """The phone's conversations (from the tickets, pickups, handoffs and callbacks that name them) and tickets."""
    phones = frozenset(phones)
    found = set(conversations)
    tickets: set[str] = set()
    for model, phone_column in ((Pickup, Pickup.sender_phone), (Pickup, Pickup.receiver_phone),
                                (Complaint, Complaint.contact_phone), (Claim, Claim.contact_phone),
                                (Handoff, Handoff.customer_phone), (CallbackRequest, CallbackRequest.phone)):
        found.update(c for c in session.scalars(select(model.conversation_id).where(phone_column.in_(phones))) if c)
    for model in (Complaint, Claim):
        tickets.update(session.scalars(select(model.number).where(
            or_(model.contact_phone.in_(phones), model.conversation_id.in_(found)))))
    return Subject(phones, frozenset(c for c in found if not c.startswith(ERASED_PREFIX)), frozenset(tickets))


def erase_steps(subject: Subject) -> list[Step]:
    phones, chats = subject.phones, subject.conversations
    complaint = and_(or_(Complaint.contact_phone.in_(phones), Complaint.conversation_id.in_(chats)),
                     Complaint.contact_phone != "")
    claim = and_(or_(Claim.contact_phone.in_(phones), Claim.conversation_id.in_(chats)), Claim.contact_phone != "")
    pickup = and_(or_(Pickup.sender_phone.in_(phones), Pickup.receiver_phone.in_(phones),
                      Pickup.conversation_id.in_(chats)), Pickup.sender_phone != "")
    steps = [
        Step("customer accounts deleted", Customer, Customer.phone.in_(phones)),
        Step("conversation events anonymised", ConversationEvent, ConversationEvent.conversation_id.in_(chats),
             anonymise.conversation_event),
        Step("ratings anonymised", Rating, Rating.conversation_id.in_(chats), anonymise.rating),
        Step("handoffs anonymised (transcripts and messages removed)", Handoff, and_(
            or_(Handoff.customer_phone.in_(phones), Handoff.conversation_id.in_(chats)),
            _not_erased(Handoff.conversation_id)), anonymise.handoff),
        Step("callback requests deleted", CallbackRequest,
             or_(CallbackRequest.phone.in_(phones), CallbackRequest.conversation_id.in_(chats))),
        Step("message analytics deleted", MessageRecord, MessageRecord.conversation_id.in_(chats)),
        Step("parcel notices deleted", ParcelNotice, ParcelNotice.conversation_id.in_(chats)),
        Step("parcel subscriptions deleted", ParcelSubscription, ParcelSubscription.conversation_id.in_(chats)),
        Step("idempotency records deleted", IdempotencyRecord, _body_mentions(
            [*phones, *chats, *subject.tickets])),
        Step("complaints anonymised", Complaint, and_(complaint, Complaint.stage.notin_(OPEN_COMPLAINT_STAGES)),
             anonymise.complaint),
        Step("claims anonymised (evidence photos deleted)", Claim,
             and_(claim, Claim.stage.notin_(OPEN_CLAIM_STAGES)), anonymise.claim),
        Step("quote requests anonymised", QuoteRequest, QuoteRequest.contact_phone.in_(phones),
             anonymise.quote_request),
        Step("pickups anonymised", Pickup, and_(pickup, Pickup.tracking_number.in_(_FINAL_PARCELS)), anonymise.pickup),
        Step("parcels anonymised, sender side", Parcel, and_(
            Parcel.sender_phone.in_(phones), Parcel.status.in_(FINAL_STATUSES)), anonymise.parcel_sender),
        Step("parcels anonymised, receiver side (sign-off photos deleted)", Parcel, and_(
            Parcel.receiver_phone.in_(phones), Parcel.status.in_(FINAL_STATUSES)), anonymise.parcel_receiver),
    ]
    attempts = getattr(backend, "VerificationAttempts", None)
    if attempts is not None:
        steps.append(Step("identity-check counters deleted", attempts, attempts.subject.in_(phones)))
    return steps


def erase_kept(subject: Subject) -> list[Kept]:
    phones, chats = subject.phones, subject.conversations
    return [
        Kept("open complaints (erase again once closed)", Complaint, and_(
            or_(Complaint.contact_phone.in_(phones), Complaint.conversation_id.in_(chats)),
            Complaint.stage.in_(OPEN_COMPLAINT_STAGES))),
        Kept("open claims (erase again once closed)", Claim, and_(
            or_(Claim.contact_phone.in_(phones), Claim.conversation_id.in_(chats)), Claim.stage.in_(OPEN_CLAIM_STAGES))),
        Kept("parcels still on their way (erase again once delivered)", Parcel, and_(
            or_(Parcel.sender_phone.in_(phones), Parcel.receiver_phone.in_(phones)),
            Parcel.status.notin_(FINAL_STATUSES))),
    ]


def _body_mentions(needles: Iterable[str]) -> ColumnElement:
    # Short strings would match unrelated bodies; every phone, ticket number and chat id is longer than this.
    usable = [needle for needle in needles if len(needle) >= 6]
    return or_(*(IdempotencyRecord.body.contains(needle, autoescape=True) for needle in usable)) if usable else false()
