"""The look-up routes complaints and claims share: by phone (count, list with proof), by number, and its proof.

`add_lookup_routes` adds the four routes to a kind's router under the names they had when each kind wrote its
own (`claims_by_phone`, `get_claim`…), so the OpenAPI schema and the responses stay the same. Registered in
this order: `/count` before `/{number}`, which would otherwise take it.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Optional

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from bot.backend.db import get_session
from bot.backend.schemas import VerifyIn
from bot.backend.services import proof_attempts, ticket_access


def add_lookup_routes(router: APIRouter, service: ModuleType, noun: str, plural: str) -> None:
    """`service` is the kind's service module (its `KIND`, `list_by_phone`, `count_by_phone`); `noun` and `plural`
    name it in route names and descriptions (claim / claims)."""

    def by_phone(phone: str = Query(..., max_length=32),
                 tracking_last4: Optional[str] = Query(None, pattern=r"^[0-9]{4}$"),
                 session: Session = Depends(get_session)) -> dict[str, Any]:
        if tracking_last4 is not None:
            return proof_attempts.tickets_with_proof(session, phone, tracking_last4, service.list_by_phone)
        return {"items": service.list_by_phone(session, phone, tracking_last4)}

    def count_by_phone(phone: str = Query(..., max_length=32),
                       session: Session = Depends(get_session)) -> dict[str, int]:
        return service.count_by_phone(session, phone)

    def get_ticket(number: str, request: Request, session: Session = Depends(get_session)) -> dict[str, Any]:
        return ticket_access.look_up(session, service.KIND, number, ticket_access.asker_of(request))

    def verify_ticket(number: str, body: VerifyIn, request: Request,
                      session: Session = Depends(get_session)) -> dict[str, Any]:
        return ticket_access.verify(session, service.KIND, number, body.phone_last4, ticket_access.asker_of(request))

    router.add_api_route(
        "", by_phone, methods=["GET"], name=f"{plural}_by_phone",
        description=f"A phone's {plural} (for agents); with tracking_last4 only those whose parcel number ends so, "
                    "which is a\ncustomer's proof of the phone: wrong endings are counted per phone across chats, "
                    "then locked (429).")
    router.add_api_route(
        "/count", count_by_phone, methods=["GET"], name=f"{noun}_count_by_phone",
        description=f"How many {plural} a phone has (total, open): what a customer may learn without proof.")
    router.add_api_route(
        "/{number}", get_ticket, methods=["GET"], name=f"get_{noun}",
        description="Details for the chat that filed it (X-Conversation-Id); for anyone else only its stage "
                    "(rate-limited).")
    router.add_api_route(
        "/{number}/verify", verify_ticket, methods=["POST"], name=f"verify_{noun}",
        description=f"Details with the last 4 digits of the {noun}'s contact phone; wrong digits count against the "
                    "ticket.")
