"""What anonymising one row means, table by table: personal fields emptied, the row kept for the books.

Each function leaves its row so the step's selection no longer matches it (e.g. an empty contact phone), which
is what makes a purge idempotent, and returns how many files it deleted.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.backend.models import (
    Claim,
    ClaimStage,
    Complaint,
    ComplaintStage,
    ConversationEvent,
    Parcel,
    ParcelEvent,
    Pickup,
    QuoteRequest,
    Rating,
)
from bot.console.public import Handoff, HandoffMessage
from bot.pii import mask_text
from bot.retention.files import delete_claim_evidence, delete_pod_photos

ERASED_TEXT = "（个人信息已按保留期限或本人要求删除）"
ERASED_PREFIX = "erased:"
# Per process, so an erased conversation id cannot be recomputed from the original (e.g. a WeChat openid), while
# the rows of one conversation erased together still count as one conversation in the reports.
_SALT = secrets.token_bytes(16)


def erased_conversation_id(conversation_id: str) -> str:
    return ERASED_PREFIX + hashlib.sha256(_SALT + conversation_id.encode()).hexdigest()[:16]


def complaint(session: Session, row: Complaint) -> int:
    row.description, row.contact_phone, row.conversation_id = ERASED_TEXT, "", None
    _mask_notes(session, ComplaintStage, ComplaintStage.complaint_id == row.id)
    return 0


def claim(session: Session, row: Claim) -> int:
    files = delete_claim_evidence(session, row.id)
    row.description, row.contact_phone, row.conversation_id = ERASED_TEXT, "", None
    _mask_notes(session, ClaimStage, ClaimStage.claim_id == row.id)
    return files


def quote_request(_session: Session, row: QuoteRequest) -> int:
    row.contact_phone = None
    return 0


def pickup(_session: Session, row: Pickup) -> int:
    row.sender_name = row.sender_phone = row.pickup_address = ""
    row.receiver_name = row.receiver_phone = row.receiver_address = None
    row.conversation_id = None
    return 0


def parcel(session: Session, row: Parcel) -> int:
    return parcel_sender(session, row) + parcel_receiver(session, row)


def parcel_sender(session: Session, row: Parcel) -> int:
    row.sender_name = row.sender_phone = row.sender_address = ""
    _mask_parcel_events(session, row)
    return 0


def parcel_receiver(session: Session, row: Parcel) -> int:
    # The sign-off photo shows who signed and where: it goes with the receiver's data.
    files = delete_pod_photos(row.tracking_number)
    row.receiver_name = row.receiver_phone = row.receiver_address = ""
    row.signed_by, row.pod_photo_url = None, None
    _mask_parcel_events(session, row)
    return files


def handoff(session: Session, row: Handoff) -> int:
    row.customer_phone, row.slots_json, row.transcript_json = None, "{}", "[]"
    row.conversation_id = erased_conversation_id(row.conversation_id)
    session.execute(update(HandoffMessage).where(HandoffMessage.handoff_id == row.id).values(text="")
                    .execution_options(synchronize_session=False))
    return 0


def conversation_event(_session: Session, row: ConversationEvent) -> int:
    row.conversation_id = erased_conversation_id(row.conversation_id)
    return 0


def rating(_session: Session, row: Rating) -> int:
    row.comment, row.conversation_id = None, None
    return 0


def _mask_notes(session: Session, model: type, where) -> None:  # type: ignore[no-untyped-def]
    for stage in session.scalars(select(model).where(where)):
        if stage.note:
            stage.note = mask_text(stage.note)


def _mask_parcel_events(session: Session, row: Parcel) -> None:
    for event in session.scalars(select(ParcelEvent).where(ParcelEvent.parcel_id == row.id)):
        event.description = mask_text(event.description)
