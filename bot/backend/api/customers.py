"""Customer lookup by phone."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from bot.backend.db import get_session
from bot.backend.services import customers

router = APIRouter(prefix="/customers", tags=["customers"])


@router.get("/by-phone/{phone}")
def customer_by_phone(phone: str, session: Session = Depends(get_session)) -> dict[str, Any]:
    return customers.by_phone(session, phone)
