"""ORM tables. Times are stored as naive UTC; money as integer fen; phones stored in full, shown masked."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class Customer(Base):
    __tablename__ = "customers"
    id = Column(Integer, primary_key=True)
    phone = Column(String(20), nullable=False, unique=True)
    name = Column(String(64), nullable=False)
    is_vip = Column(Boolean, nullable=False, default=False)
    account_manager_name = Column(String(64))
    account_manager_phone = Column(String(20))
    created_at = Column(DateTime, nullable=False)


class Parcel(Base):
    __tablename__ = "parcels"
    id = Column(Integer, primary_key=True)
    tracking_number = Column(String(20), nullable=False, unique=True)
    status = Column(String(24), nullable=False)
    service_level = Column(String(16), nullable=False, default="standard")
    origin_city = Column(String(32), nullable=False)
    destination_city = Column(String(32), nullable=False)
    current_city = Column(String(32), nullable=False)
    eta: date = Column(Date)
    sender_name = Column(String(64), nullable=False)
    sender_phone = Column(String(20), nullable=False, index=True)
    sender_address = Column(String(255), nullable=False)
    receiver_name = Column(String(64), nullable=False)
    receiver_phone = Column(String(20), nullable=False, index=True)
    receiver_address = Column(String(255), nullable=False)
    weight_g = Column(Integer, nullable=False, default=1000)
    freight_fen = Column(Integer, nullable=False, default=0)
    insured = Column(Boolean, nullable=False, default=False)
    declared_value_fen = Column(BigInteger)
    signed_by = Column(String(64))
    signed_at: datetime = Column(DateTime)
    pod_photo_url = Column(String(255))
    # The courier out delivering it (set with the out-for-delivery scan); shown masked until verified
    courier_name = Column(String(64))
    courier_phone = Column(String(20))
    created_at = Column(DateTime, nullable=False)
    events = relationship("ParcelEvent", order_by="ParcelEvent.time", lazy="raise")


class ParcelEvent(Base):
    __tablename__ = "parcel_events"
    id = Column(Integer, primary_key=True)
    parcel_id = Column(Integer, ForeignKey("parcels.id", ondelete="CASCADE"), nullable=False)
    time = Column(DateTime, nullable=False)
    city = Column(String(32), nullable=False)
    status = Column(String(24), nullable=False)
    description = Column(String(255), nullable=False)
    __table_args__ = (Index("ix_parcel_events_parcel_time", "parcel_id", "time"),)


class VerificationToken(Base):
    __tablename__ = "verification_tokens"
    token = Column(String(64), primary_key=True)
    tracking_number = Column(String(20), nullable=False)
    expires_at = Column(DateTime, nullable=False)


class VerificationAttempts(Base):
    """Wrong identity proofs per parcel or per phone, shared by every backend worker and every chat.

    `failures` counts attempts in the window that began at `window_started_at`; an attempt counts before its
    digits are checked (and the count is cleared when they were right), so parallel guesses cannot slip past
    the limit. See bot/backend/services/failure_counter.py.
    """

    __tablename__ = "verification_attempts"
    scope = Column(String(8), primary_key=True)
    subject = Column(String(64), primary_key=True)
    failures = Column(Integer, nullable=False, default=0)
    window_started_at: datetime = Column(DateTime, nullable=False)
    locked_until: datetime = Column(DateTime)


class Pickup(Base):
    __tablename__ = "pickups"
    id = Column(Integer, primary_key=True)
    pickup_id = Column(String(24), nullable=False, unique=True)
    tracking_number = Column(String(20), nullable=False, unique=True)
    sender_name = Column(String(64), nullable=False)
    sender_phone = Column(String(20), nullable=False)
    pickup_address = Column(String(255), nullable=False)
    origin = Column(String(32), nullable=False)
    destination = Column(String(32), nullable=False)
    item = Column(String(200), nullable=False)
    time_window = Column(String(64), nullable=False)
    weight_g = Column(Integer)
    service_level = Column(String(16), nullable=False)
    receiver_name = Column(String(64))
    receiver_phone = Column(String(20))
    receiver_address = Column(String(255))
    estimated_fee_fen = Column(Integer)
    status = Column(String(24), nullable=False)
    conversation_id = Column(String(128))
    created_at = Column(DateTime, nullable=False)


class QuoteRequest(Base):
    __tablename__ = "quote_requests"
    id = Column(Integer, primary_key=True)
    number = Column(String(24), nullable=False, unique=True)
    origin = Column(String(32), nullable=False)
    destination = Column(String(32), nullable=False)
    weight_g = Column(BigInteger, nullable=False)
    length_cm = Column(Integer)
    width_cm = Column(Integer)
    height_cm = Column(Integer)
    needs_msds = Column(Boolean, nullable=False, default=False)
    item = Column(String(200))
    contact_phone = Column(String(20))
    reason = Column(String(255), nullable=False)
    status = Column(String(16), nullable=False, default="open")
    created_at = Column(DateTime, nullable=False)
    due_at = Column(DateTime, nullable=False)


class Complaint(Base):
    __tablename__ = "complaints"
    id = Column(Integer, primary_key=True)
    number = Column(String(24), nullable=False, unique=True)
    category = Column(String(16), nullable=False)
    description = Column(Text, nullable=False)
    contact_phone = Column(String(20), nullable=False, index=True)
    tracking_number = Column(String(20))
    channel = Column(String(16))
    conversation_id = Column(String(128))
    stage = Column(String(24), nullable=False)
    created_at = Column(DateTime, nullable=False)
    response_due_at = Column(DateTime, nullable=False)
    first_response_at = Column(DateTime)
    history = relationship("ComplaintStage", order_by="ComplaintStage.id", lazy="selectin")


class ComplaintStage(Base):
    __tablename__ = "complaint_stages"
    id = Column(Integer, primary_key=True)
    complaint_id = Column(Integer, ForeignKey("complaints.id", ondelete="CASCADE"), nullable=False, index=True)
    stage = Column(String(24), nullable=False)
    note = Column(String(500))
    at = Column(DateTime, nullable=False)


class Claim(Base):
    __tablename__ = "claims"
    id = Column(Integer, primary_key=True)
    number = Column(String(24), nullable=False, unique=True)
    tracking_number = Column(String(20), nullable=False, index=True)
    claim_type = Column(String(16), nullable=False)
    insured = Column(Boolean, nullable=False)
    declared_value_fen = Column(BigInteger)
    freight_fen = Column(BigInteger)
    claimed_amount_fen = Column(BigInteger)
    description = Column(Text, nullable=False)
    contact_phone = Column(String(20), nullable=False, index=True)
    conversation_id = Column(String(128))
    stage = Column(String(24), nullable=False)
    compensation_cap_fen = Column(BigInteger, nullable=False)
    cap_rule = Column(String(40), nullable=False)
    needs_manual_review = Column(Boolean, nullable=False)
    approved_amount_fen = Column(BigInteger)
    approved_at = Column(DateTime)
    payout_due_date: date = Column(Date)
    paid_at = Column(DateTime)
    created_at = Column(DateTime, nullable=False)
    history = relationship("ClaimStage", order_by="ClaimStage.id", lazy="selectin")


class ClaimStage(Base):
    __tablename__ = "claim_stages"
    id = Column(Integer, primary_key=True)
    claim_id = Column(Integer, ForeignKey("claims.id", ondelete="CASCADE"), nullable=False, index=True)
    stage = Column(String(24), nullable=False)
    note = Column(String(500))
    at = Column(DateTime, nullable=False)


class ClaimEvidence(Base):
    __tablename__ = "claim_evidence"
    id = Column(Integer, primary_key=True)
    claim_id = Column(Integer, ForeignKey("claims.id", ondelete="CASCADE"), nullable=False, index=True)
    content_type = Column(String(32), nullable=False)
    size_bytes = Column(Integer, nullable=False)
    sha256 = Column(String(64), nullable=False)
    path = Column(String(255), nullable=False)
    created_at = Column(DateTime, nullable=False)


class Rating(Base):
    __tablename__ = "ratings"
    id = Column(Integer, primary_key=True)
    score = Column(Integer, nullable=False)
    comment = Column(String(500))
    conversation_id = Column(String(128), index=True)
    ticket_number = Column(String(24))
    created_at = Column(DateTime, nullable=False, index=True)


# At most one `started` per conversation: the containment KPI divides by it, and the assistant reports it from
# every web process and on retries (services/feedback.py mark_started).
ONE_START = text("type = 'started'")


class ConversationEvent(Base):
    __tablename__ = "conversation_events"
    __table_args__ = (Index("uq_conversation_events_started", "conversation_id", unique=True,
                            sqlite_where=ONE_START, postgresql_where=ONE_START),)
    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    type = Column(String(16), nullable=False)
    channel = Column(String(16))
    reason = Column(String(64))
    at = Column(DateTime, nullable=False, index=True)


class Counter(Base):
    """Per-day sequences for ticket numbers (CP20261123001…) and the tracking-number range for pickups."""

    __tablename__ = "counters"
    name = Column(String(32), primary_key=True)
    value = Column(BigInteger, nullable=False)


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_keys"
    id = Column(Integer, primary_key=True)
    key = Column(String(128), nullable=False)
    endpoint = Column(String(255), nullable=False)
    request_hash = Column(String(64), nullable=False)
    status_code = Column(Integer, nullable=False)
    body = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False)
    __table_args__ = (UniqueConstraint("key", "endpoint", name="uq_idempotency_key_endpoint"),)


class ParcelSubscription(Base):
    """A chat that asked to be told when its parcel reaches a key node (out for delivery, exception, delivered)."""

    __tablename__ = "parcel_subscriptions"
    id = Column(Integer, primary_key=True)
    tracking_number = Column(String(20), nullable=False, index=True)
    conversation_id = Column(String(128), nullable=False)
    channel = Column(String(32), nullable=False)
    created_at = Column(DateTime, nullable=False)
    __table_args__ = (UniqueConstraint("tracking_number", "conversation_id", name="uq_subscription_parcel_chat"),)


class ParcelNotice(Base):
    """Outbox of notices to push to subscribed chats; the notifier delivers them with retries."""

    __tablename__ = "parcel_notices"
    id = Column(Integer, primary_key=True)
    subscription_id = Column(Integer, ForeignKey("parcel_subscriptions.id", ondelete="CASCADE"), nullable=False)
    tracking_number = Column(String(20), nullable=False)
    conversation_id = Column(String(128), nullable=False)
    channel = Column(String(32), nullable=False)
    status = Column(String(24), nullable=False)
    city = Column(String(32), nullable=False)
    description = Column(String(255), nullable=False)
    event_time = Column(DateTime, nullable=False)
    state = Column(String(16), nullable=False, default="pending")
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime, nullable=False)
    last_error = Column(String(255))
    delivered_at = Column(DateTime)
    created_at = Column(DateTime, nullable=False)
    __table_args__ = (Index("ix_parcel_notices_state_next", "state", "next_attempt_at"),)


class ParcelFollowUp(Base):
    """催件: a customer asked the parcel's delivery outlet to hurry it; the outlet answers by `due_at`.

    At most one open follow-up per parcel (a unique partial index), so asking again returns the same one.
    """

    __tablename__ = "parcel_follow_ups"
    id = Column(Integer, primary_key=True)
    tracking_number = Column(String(20), nullable=False)
    outlet = Column(String(64), nullable=False)
    state = Column(String(16), nullable=False, default="open")
    conversation_id = Column(String(128))
    channel = Column(String(32))
    created_at = Column(DateTime, nullable=False)
    due_at = Column(DateTime, nullable=False)
    __table_args__ = (
        Index("uq_parcel_follow_ups_open", "tracking_number", unique=True,
              sqlite_where=text("state = 'open'"), postgresql_where=text("state = 'open'")),
    )
