"""A sign-off photo link starts with the address customers reach the backend at (PUBLIC_BASE_URL), and with
the backend's own URL when that is not set (as before the setting existed)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.backend.models import Parcel
from bot.backend.services import pod_photos
from bot.settings import get_settings


@pytest.fixture
def delivered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Parcel]:
    monkeypatch.setenv("COURIER_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("POD_LINK_SECRET", "s" * 32)
    monkeypatch.setenv("BACKEND_URL", "http://127.0.0.1:8000")
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    get_settings.cache_clear()
    parcel = Parcel(tracking_number="ZT100000000002", status="delivered")
    pod_photos.store_demo(parcel)
    yield parcel
    get_settings.cache_clear()


def test_the_link_starts_with_the_public_base_url(delivered: Parcel, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://kefu.example.com/")
    get_settings.cache_clear()
    link = pod_photos.issue_link(delivered)
    assert link["url"].startswith("https://kefu.example.com/pod/ZT100000000002.png?token=")
    assert link["url"] == "https://kefu.example.com" + link["path"]


def test_without_it_the_link_starts_with_the_backend_url(delivered: Parcel) -> None:
    assert get_settings().public_base_url == ""
    link = pod_photos.issue_link(delivered)
    assert link["url"].startswith("http://127.0.0.1:8000/pod/ZT100000000002.png?token=")
