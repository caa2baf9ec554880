"""A complaint's or claim's look-up by number: details for its own chat or with proof, otherwise its stage.

The counting behind it is in ticket_guard. Both kinds share this flow; each passes how to find a ticket, how to
describe it in full and in summary, and its not-found error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from fastapi import Request
from sqlalchemy.orm import Session

from bot.backend.errors import ApiError
from bot.backend.services import ticket_guard
from bot.backend.services.ticket_guard import Asker


@dataclass(frozen=True)
class TicketKind:
    prefix: str  # CP / CL
    find: Callable[[Session, str], Any]  # a parsed number → the row, or None
    full: Callable[[Session, Any], dict[str, Any]]
    summary: Callable[[Any], dict[str, Any]]
    not_found: Callable[[], ApiError]


def asker_of(request: Request) -> Asker:
    """The chat the action server names (X-Conversation-Id, percent-encoded) and the API caller (key + client
    address)."""
    conversation = unquote(request.headers.get("X-Conversation-Id") or "", errors="replace")
    return ticket_guard.asker(conversation, request.headers.get("X-API-Key"),
                              request.client.host if request.client else None)


def look_up(session: Session, kind: TicketKind, number: str, who: Asker) -> dict[str, Any]:
    ticket = kind.find(session, number)
    if ticket is not None and ticket_guard.is_owner(ticket, who):
        return kind.full(session, ticket)
    _counted(session, kind, ticket, who)
    return kind.summary(ticket)


def verify(session: Session, kind: TicketKind, number: str, phone_last4: str, who: Asker) -> dict[str, Any]:
    """The details when `phone_last4` ends the ticket's contact phone; wrong digits count against the ticket."""
    ticket = kind.find(session, number)
    if ticket is not None and ticket_guard.is_owner(ticket, who):
        return kind.full(session, ticket)
    _counted(session, kind, ticket, who)
    attempt = ticket_guard.begin_proof(session, ticket.number)
    if not str(ticket.contact_phone or "").endswith(phone_last4):
        raise ticket_guard.proof_failed(attempt)
    ticket_guard.proof_passed(session, ticket.number)
    return kind.full(session, ticket)


def _counted(session: Session, kind: TicketKind, ticket: Any, who: Asker) -> None:
    """Count a stranger's look-up (429 past a limit); 404, counted as a miss, when there is no such ticket."""
    ticket_guard.count_lookup(session, who)
    if ticket is None:
        ticket_guard.count_miss(session)
        raise kind.not_found()
