"""Delivers queued parcel notices to the chats that subscribed, through Rasa's trigger_intent API
(`POST /conversations/{id}/trigger_intent?output_channel=<channel>`), with retries and backoff.

Runs as one background thread in the backend process. Rasa then runs the conversation's own action for the
notice intent, so the message goes out on the chat's channel and in the customer's script.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select, update

from bot.backend.clock import utcnow
from bot.backend.db import new_session
from bot.backend.models import ParcelNotice
from bot.backend.services.tracking import STATUS_TEXT
from bot.clients.rasa import RasaClient, RasaError, get_rasa
from bot.periodic import PeriodicThread
from bot.settings import get_settings

log = logging.getLogger("bot.backend.notifier")
MAX_ATTEMPTS = 8
BATCH = 20
CLAIM_HOLD = timedelta(seconds=60)


def _entities(notice: ParcelNotice) -> dict:
    return {"tracking_number": notice.tracking_number, "parcel_status": notice.status,
            "parcel_status_text": STATUS_TEXT.get(notice.status, notice.status), "parcel_city": notice.city,
            "parcel_event": notice.description}


def deliver(notice: ParcelNotice, rasa: RasaClient) -> str | None:
    """None when Rasa accepted the notice, else the reason (the notice's own backoff retries it)."""
    try:
        rasa.trigger_intent(notice.conversation_id, get_settings().parcel_notice_intent, _entities(notice),
                            output_channel=notice.channel)
    except RasaError as error:
        return error.reason
    return None


def _claim(session, notice: ParcelNotice) -> bool:  # type: ignore[no-untyped-def]
    """Take the notice for this process (optimistic: the attempt counter must still be what we read), so two
    backend processes never push the same notice; a crash mid-delivery leaves it due again a minute later."""
    result = session.execute(
        update(ParcelNotice)
        .where(ParcelNotice.id == notice.id, ParcelNotice.state == "pending",
               ParcelNotice.attempts == notice.attempts)
        .values(attempts=notice.attempts + 1, next_attempt_at=utcnow() + CLAIM_HOLD)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return result.rowcount == 1


def run_once(rasa: RasaClient) -> int:
    """Deliver the notices that are due; how many were attempted."""
    attempted = 0
    with new_session() as session:
        due = session.execute(
            select(ParcelNotice.id, ParcelNotice.attempts)
            .where(ParcelNotice.state == "pending", ParcelNotice.next_attempt_at <= utcnow())
            .order_by(ParcelNotice.id).limit(BATCH)
        ).all()
        for row in due:
            if not _claim(session, row):
                continue
            notice = session.get(ParcelNotice, row.id, populate_existing=True)
            attempted += 1
            error = deliver(notice, rasa)
            if error is None:
                notice.state = "delivered"
                notice.delivered_at = utcnow()
                notice.last_error = None
            else:
                notice.last_error = error[:255]
                notice.state = "failed" if notice.attempts >= MAX_ATTEMPTS else "pending"
                notice.next_attempt_at = utcnow() + timedelta(seconds=min(300, 2 ** notice.attempts))
                log.warning("notice %s for %s not delivered (%s), attempt %s", notice.id, notice.tracking_number,
                            error, notice.attempts)
            session.commit()
    return attempted


class Notifier(PeriodicThread):
    """A pass every PARCEL_NOTICE_POLL_S; a failed one leaves its notices queued for the next."""

    name = "parcel-notifier"

    def interval_s(self) -> float:
        return get_settings().parcel_notice_poll_s

    def run_pass(self) -> None:
        run_once(get_rasa())
