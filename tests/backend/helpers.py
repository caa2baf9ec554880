"""Assertions shared by the backend tests."""

from __future__ import annotations

import requests


def assert_error(response: requests.Response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, (response.status_code, response.text[:500])
    detail = response.json()["detail"]
    assert isinstance(detail, dict) and detail["code"] and detail["message"], detail
    if code:
        assert detail["code"] == code, detail
    return detail
