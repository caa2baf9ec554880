"""docs/backend-api.md names every route the web process serves: the backend's, the console's, the chat page's."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Mount

from bot.settings import ROOT
from bot.web_app import create_app

DOC = ROOT / "docs" / "backend-api.md"
# FastAPI's own pages: the OpenAPI schema and its viewers, named once in the doc's first lines.
FRAMEWORK = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


def _pattern(path: str) -> str:
    """The path as a regular expression that takes any parameter name ({number} or {tracking_number})."""
    return re.sub(r"\\\{[a-z_]+\\\}", r"\\{[a-z_]+\\}", re.escape(path))


def documented(path: str, text: str) -> bool:
    """Written in full, without `/api/v1` (`/claims/{number}/verify`), or as a sub-route after `…`
    (`POST …/{handoff_id}/accept`)."""
    parts = path.strip("/").split("/")
    spellings = [path, path.removeprefix("/api/v1")]
    if len(parts) > 2:
        spellings.append("…/" + "/".join(parts[-2:]))
    return any(re.search(_pattern(spelling) + r"(?![\w/{])", text) for spelling in spellings if spelling)


def served_paths() -> list[str]:
    app = create_app()
    paths = [route.path if isinstance(route, APIRoute) else route.path + "/" for route in app.routes
             if isinstance(route, APIRoute | Mount)]
    return [path for path in paths if path not in FRAMEWORK]


@pytest.mark.parametrize("path", served_paths())
def test_every_route_is_documented(path: str) -> None:
    assert documented(path, DOC.read_text(encoding="utf-8")), f"{path} is served but not in docs/backend-api.md"


def test_an_undocumented_route_is_noticed() -> None:
    assert not documented("/api/v1/parcels/{tracking_number}/teleport", DOC.read_text(encoding="utf-8"))
