"""Which team a handoff goes to, and where it stands in that team's queue (key customers first, then oldest)."""

from __future__ import annotations

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.orm import Session

from bot.console.models import Handoff
from bot.settings import get_settings
from bot.vocabulary.handoff_reasons import HandoffReason

# The team for each handoff reason (bot/vocabulary/handoff_reasons.py, the one list of reasons).
REASON_TEAMS = {
    HandoffReason.ASKED_FOR_HUMAN: "general",
    HandoffReason.NOT_UNDERSTOOD_TWICE: "general",
    HandoffReason.BACKEND_DOWN: "general",
    HandoffReason.ANGRY_CUSTOMER: "complaints",
    HandoffReason.COMPLAINT: "complaints",
    HandoffReason.CLAIM_OVER_LIMIT: "claims",
    HandoffReason.CLAIM: "claims",
    HandoffReason.MANAGER_REQUESTED: "vip",
}
# A customer already waiting moves when a more pressing reason comes up, from these queues only: an angry
# customer leaves the general queue for the complaints team. The specialist queues (claims, VIP) keep them, as
# their agents are the ones who can settle what the customer is waiting for.
MOVES_FROM = {HandoffReason.ANGRY_CUSTOMER: frozenset({"general"})}


def team_for(reason: str, is_vip: bool) -> str:
    """The team by reason. Key customers keep their team but jump its queue (`waiting_order`); the VIP team
    takes the ones who ask for their account manager."""
    return REASON_TEAMS.get(reason, "general")


def moved_team(current_team: str, reason: str, is_vip: bool) -> str | None:
    """The team a waiting handoff moves to for a new request with `reason`, None when it stays where it is."""
    if current_team not in MOVES_FROM.get(reason, frozenset()):
        return None
    team = team_for(reason, is_vip)
    return team if team != current_team else None


def waiting_order():  # type: ignore[no-untyped-def]
    return (Handoff.is_vip.desc(), Handoff.created_at.asc(), Handoff.id.asc())


def position(session: Session, handoff: Handoff) -> int:
    """1 for the next conversation an agent of the team will take."""
    # Every waiting key customer is ahead of an ordinary one; within a class, the older ones are.
    ahead_vip = Handoff.is_vip.is_(True) if not handoff.is_vip else false()
    same_class_older = and_(Handoff.is_vip == handoff.is_vip,
                            or_(Handoff.created_at < handoff.created_at,
                                and_(Handoff.created_at == handoff.created_at, Handoff.id < handoff.id)))
    ahead = session.execute(
        select(func.count(Handoff.id)).where(
            Handoff.team_code == handoff.team_code, Handoff.status == "waiting", Handoff.id != handoff.id,
            or_(ahead_vip, same_class_older))
    ).scalar_one()
    return int(ahead) + 1


def eta_minutes(place: int) -> int:
    """The wait promised at this place: one conversation's time for each one ahead (two ahead at 3 minutes each is
    6 minutes, not 9); the first in the queue is promised one conversation's time, until an agent is free."""
    return max(1, max(1, place - 1) * get_settings().handoff_eta_minutes)
