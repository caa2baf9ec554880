"""Evidence photos for claims, checked (services/images.py) and stored under var/evidence/."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from sqlalchemy.orm import Session

from bot.backend.clock import iso, utcnow
from bot.backend.models import ClaimEvidence
from bot.backend.services.claims import get as get_claim
from bot.backend.services.images import ALLOWED, validate
from bot.settings import get_settings


def store(session: Session, number: str, data: bytes, declared_type: str | None) -> dict[str, Any]:
    claim = get_claim(session, number)
    content_type = validate(data, declared_type)
    folder = get_settings().var_dir / "evidence" / claim.number
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}.{ALLOWED[content_type]}"
    path.write_bytes(data)
    now = utcnow()
    row = ClaimEvidence(claim_id=claim.id, content_type=content_type, size_bytes=len(data),
                        sha256=hashlib.sha256(data).hexdigest(), path=str(path), created_at=now)
    session.add(row)
    session.flush()
    return {"evidence_id": row.id, "claim_number": claim.number, "content_type": content_type,
            "size_bytes": len(data), "created_at": iso(now)}
