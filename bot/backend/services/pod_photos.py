"""Proof-of-delivery (签收) photos: one per delivered parcel, stored under var/pod/, shown only through a
short-lived signed link that the backend issues to a customer who passed verification for that parcel."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.backend import demo_photo
from bot.backend.clock import iso
from bot.backend.errors import ApiError
from bot.backend.models import Parcel
from bot.backend.services import signed_links
from bot.backend.services.images import ALLOWED, CONTENT_TYPE_OF, validate
from bot.settings import get_settings

PURPOSE = "pod-photo"
ROUTE = "/pod"


def url_path(tracking_number: str, extension: str) -> str:
    """The photo's address without a token (stored on the parcel); it opens only with `?token=`."""
    return f"{ROUTE}/{tracking_number}.{extension}"


def _folder() -> Path:
    return get_settings().var_dir / "pod"


def stored_file(parcel: Parcel) -> Path | None:
    """The photo's file when the parcel has one on disk."""
    if not parcel.pod_photo_url:
        return None
    name = parcel.pod_photo_url.rsplit("/", 1)[-1]
    number, _, extension = name.rpartition(".")
    if number != parcel.tracking_number or extension not in CONTENT_TYPE_OF:
        return None
    path = _folder() / name
    return path if path.is_file() else None


def _write(parcel: Parcel, data: bytes, extension: str) -> None:
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{parcel.tracking_number}.{extension}"
    staging = folder / f".{parcel.tracking_number}.{uuid.uuid4().hex}.tmp"
    staging.write_bytes(data)
    staging.replace(target)  # a reader never sees half a photo
    for older in folder.glob(f"{parcel.tracking_number}.*"):
        if older != target:
            older.unlink(missing_ok=True)
    parcel.pod_photo_url = url_path(parcel.tracking_number, extension)


def store(session: Session, parcel: Parcel, data: bytes, declared_type: str | None) -> dict[str, Any]:
    """The courier's app uploads the photo taken at delivery (replaces an earlier one)."""
    if parcel.status != "delivered":
        raise ApiError(409, "parcel_not_delivered", "快件签收后才能上传签收照片。")
    content_type = validate(data, declared_type)
    _write(parcel, data, ALLOWED[content_type])
    session.flush()
    return {"tracking_number": parcel.tracking_number, "content_type": content_type, "size_bytes": len(data)}


def store_demo(parcel: Parcel) -> None:
    """A drawn photo for a demo delivery (seed data, `advance`), where no courier took one."""
    _write(parcel, demo_photo.sign_off_photo(parcel.tracking_number), "png")


def issue_link(parcel: Parcel) -> dict[str, Any]:
    """A link to the parcel's photo, valid for settings.pod_link_minutes. The caller checked verification."""
    if stored_file(parcel) is None:
        raise ApiError(404, "pod_photo_not_found", "这个快件暂时没有签收照片。")
    settings = get_settings()
    token, expires = signed_links.issue(PURPOSE, parcel.tracking_number, settings.pod_link_minutes * 60)
    path = f"{parcel.pod_photo_url}?token={token}"
    expires_at = datetime.fromtimestamp(expires, timezone.utc).replace(tzinfo=None)
    return {"tracking_number": parcel.tracking_number, "url": f"{settings.public_backend_url}{path}",
            "path": path, "expires_at": iso(expires_at), "valid_minutes": settings.pod_link_minutes}


def open_photo(session: Session, name: str, token: str | None) -> tuple[bytes, str]:
    """(bytes, content type) of `<tracking number>.<ext>` when the token was issued for that parcel and has
    not expired; 403 otherwise, before anything about the parcel is looked up."""
    number, _, extension = name.rpartition(".")
    if not number or not signed_links.is_valid(PURPOSE, number, token):
        raise ApiError(403, "pod_link_invalid",
                       "这个签收照片链接无效或已过期。为保护收寄件人的隐私，请回到对话中重新查询，核实身份后即可查看。")
    parcel = session.execute(select(Parcel).where(Parcel.tracking_number == number)).scalar_one_or_none()
    path = stored_file(parcel) if parcel is not None else None
    if path is None or parcel.pod_photo_url != url_path(number, extension):  # type: ignore[union-attr]
        raise ApiError(404, "pod_photo_not_found", "这个快件暂时没有签收照片。")
    return path.read_bytes(), CONTENT_TYPE_OF[extension]
