"""Evidence photos for claims, checked (services/images.py) and stored under var/evidence/."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.backend.clock import iso, utcnow
from bot.backend.errors import ApiError
from bot.backend.models import Claim, ClaimEvidence
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


def for_conversation(session: Session, conversation_id: str) -> list[dict[str, Any]]:
    """The evidence photos of the claims this conversation filed, oldest first (for the agent console)."""
    rows = session.execute(
        select(ClaimEvidence.id, Claim.number, ClaimEvidence.content_type, ClaimEvidence.created_at)
        .join(Claim, Claim.id == ClaimEvidence.claim_id)
        .where(Claim.conversation_id == conversation_id)
        .order_by(ClaimEvidence.created_at, ClaimEvidence.id)
    ).all()
    return [{"evidence_id": row.id, "claim_number": row.number, "content_type": row.content_type,
             "created_at": iso(row.created_at)} for row in rows]


def open_for_conversation(session: Session, evidence_id: int, conversation_id: str) -> tuple[bytes, str]:
    """One evidence photo's bytes, only when its claim was filed by this conversation."""
    row = session.execute(
        select(ClaimEvidence.path, ClaimEvidence.content_type)
        .join(Claim, Claim.id == ClaimEvidence.claim_id)
        .where(ClaimEvidence.id == evidence_id, Claim.conversation_id == conversation_id)
    ).first()
    evidence_root = (get_settings().var_dir / "evidence").resolve()
    path = Path(row.path).resolve() if row else None
    if path is None or evidence_root not in path.parents or not path.is_file():
        raise ApiError(404, "evidence_not_found", "没有找到这张照片。")
    return path.read_bytes(), row.content_type
