"""The sign-off photo a customer's browser opens: no API key, a signed short-lived token instead."""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from bot.backend.db import get_session
from bot.backend.services import pod_photos

router = APIRouter(prefix=pod_photos.ROUTE, tags=["tracking"])


@router.get("/{name}")
def pod_photo(name: str, token: Optional[str] = Query(None),
              session: Session = Depends(get_session)) -> Response:
    content, content_type = pod_photos.open_photo(session, name[:40], token)
    # Personal data behind a link that expires: no shared cache may keep it, and no page it links from
    # learns the token through the Referer.
    return Response(content, media_type=content_type, headers={
        "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer"})
