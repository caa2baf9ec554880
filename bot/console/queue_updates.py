"""Customers waiting for a person hear where they stand: every HANDOFF_QUEUE_UPDATE_S seconds, each waiting
web-chat or WeChat customer is told their place in the queue and the wait, in their own chat.

One daemon thread per web process looks every HANDOFF_QUEUE_POLL_S. Several processes look at once in the
cluster: a customer is told by the process whose conditional update of `queue_told_at` succeeds, so once. The
REST channel cannot reach a customer unasked, so its customers are not looked at.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from bot.backend.public import new_session, utcnow
from bot.console.delivery import push_text
from bot.console.models import Handoff
from bot.console.routing import eta_minutes, position
from bot.console.views import log_safe
from bot.periodic import PeriodicThread
from bot.settings import get_settings

logger = logging.getLogger("bot.console")

PUSHED_CHANNELS = ("socketio", "wechat")
BATCH = 50


def update_text(place: int, wait: int) -> str:
    """What a waiting customer is told (Simplified; the channel converts it for a Traditional writer)."""
    if place <= 1:
        return f"感谢您耐心等待，您已排在第 1 位，客服一有空就会接入，预计 {wait} 分钟内。这期间有其他问题也可以直接问我。"
    return (f"感谢您耐心等待，您前面还有 {place - 1} 位，预计还需等待约 {wait} 分钟，客服接入后会马上回复您。"
            "这期间有其他问题也可以直接问我。")


def _due(session: Session, cutoff: datetime) -> list[int]:
    told_long_ago = or_(Handoff.queue_told_at <= cutoff,
                        and_(Handoff.queue_told_at.is_(None), Handoff.created_at <= cutoff))
    return list(session.execute(
        select(Handoff.id).where(Handoff.status == "waiting", Handoff.channel.in_(PUSHED_CHANNELS), told_long_ago)
        .order_by(Handoff.created_at).limit(BATCH)
    ).scalars())


def _claim(session: Session, handoff_id: int, cutoff: datetime, now: datetime) -> bool:
    """Take this customer's update for this process: only one process's update of the row matches."""
    result = session.execute(
        update(Handoff)
        .where(Handoff.id == handoff_id, Handoff.status == "waiting",
               or_(Handoff.queue_told_at <= cutoff,
                   and_(Handoff.queue_told_at.is_(None), Handoff.created_at <= cutoff)))
        .values(queue_told_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return result.rowcount == 1


def run_once(now: datetime | None = None) -> int:
    """Tell every waiting customer who is due; how many were told."""
    interval = get_settings().handoff_queue_update_s
    if interval <= 0:
        return 0
    now = now or utcnow()
    cutoff = now - timedelta(seconds=interval)
    told = 0
    with new_session() as session:
        for handoff_id in _due(session, cutoff):
            if not _claim(session, handoff_id, cutoff, now):
                continue
            handoff = session.get(Handoff, handoff_id, populate_existing=True)
            place = position(session, handoff)
            delivery = push_text(handoff.channel, handoff.conversation_id, update_text(place, eta_minutes(place)))
            if delivery.delivered:
                told += 1
            else:  # the next interval tries again; the customer's chat may simply be closed
                logger.info("queue update for %s not delivered: %s", log_safe(handoff.conversation_id),
                            delivery.problem)
    return told


class QueueUpdates(PeriodicThread):
    """The web process's thread that runs `run_once` every HANDOFF_QUEUE_POLL_S."""

    name = "handoff-queue-updates"
    start_at_once = False

    @staticmethod
    def wanted() -> bool:
        return get_settings().handoff_queue_update_s > 0

    def interval_s(self) -> float:
        return get_settings().handoff_queue_poll_s

    def run_pass(self) -> None:
        run_once()
