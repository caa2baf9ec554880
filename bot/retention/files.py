"""Files that hold personal data: claim evidence photos (var/evidence/<claim>/) and sign-off photos (var/pod/).

Only files inside COURIER_VAR_DIR's folders are ever deleted, whatever path a row names.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.backend.models import ClaimEvidence
from bot.settings import get_settings


def delete_claim_evidence(session: Session, claim_id: int) -> int:
    """Delete a claim's evidence photos and their rows; how many files were removed."""
    removed = 0
    for path in session.scalars(select(ClaimEvidence.path).where(ClaimEvidence.claim_id == claim_id)):
        removed += _unlink_inside(Path(path), get_settings().var_dir / "evidence")
    session.execute(delete(ClaimEvidence).where(ClaimEvidence.claim_id == claim_id)
                    .execution_options(synchronize_session=False))
    return removed


def delete_pod_photos(tracking_number: str) -> int:
    folder = get_settings().var_dir / "pod"
    if not folder.is_dir() or not tracking_number.isalnum():
        return 0
    return sum(_unlink_inside(path, folder) for path in folder.glob(f"{tracking_number}.*"))


def _unlink_inside(path: Path, folder: Path) -> int:
    try:
        resolved = path.resolve()
        resolved.relative_to(folder.resolve())
    except (OSError, ValueError):
        return 0
    if not resolved.is_file():
        return 0
    resolved.unlink(missing_ok=True)
    return 1
