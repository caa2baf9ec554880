"""The KPI report, computed from stored rows."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from bot.backend.db import get_session
from bot.backend.services import reports

router = APIRouter(prefix="/reports", tags=["reports"])


@router.get("/kpi")
def kpi(days: int = Query(30, ge=1, le=3660), session: Session = Depends(get_session)) -> dict[str, Any]:
    return reports.kpi(session, days)
