"""A customer's side of a conversation for the complaint/claim/key-customer/survey e2e tests (flows-2).

`Chat.say` sends one message over Rasa's REST channel and returns everything the customer sees (texts and
button titles); `Backend` reads what the backend stored, over its HTTP API and, for ratings (no read
endpoint), straight from its database.
"""

from __future__ import annotations

import os
import re
import uuid
from typing import Any

import requests
from sqlalchemy import create_engine, text

from bot.vocabulary.script import to_traditional


def tw(simplified: str) -> str:
    """The Traditional form a Traditional-writing customer sees of one of our Simplified phrases."""
    return to_traditional(simplified)


class Chat:
    def __init__(self, stack: Any, prefix: str) -> None:
        self.stack = stack
        self.sender = f"{prefix}-{uuid.uuid4().hex[:10]}"
        self.transcript: list[str] = []

    def say(self, message: str, **metadata: Any) -> str:
        replies = self.stack.rest_turn(self.sender, message, metadata or None)
        shown = []
        for reply in replies:
            shown.append(reply.get("text") or "")
            shown += [f"[{button.get('title')}]" for button in reply.get("buttons") or []]
        seen = "\n".join(part for part in shown if part)
        self.transcript.append(f"> {message}\n{seen}")
        return seen

    def history(self) -> str:
        return "\n".join(self.transcript)


def first(pattern: str, shown: str) -> str:
    found = re.search(pattern, shown)
    assert found, f"no {pattern!r} in:\n{shown}"
    return found.group(0)


class Backend:
    def __init__(self, stack: Any) -> None:
        self.stack = stack
        self.http = requests.Session()
        self.http.headers["X-API-Key"] = stack.api_key

    def get(self, path: str, **params: Any) -> Any:
        reply = self.http.get(f"{self.stack.backend_url}/api/v1{path}", params=params, timeout=15)
        reply.raise_for_status()
        return reply.json()

    def post(self, path: str, body: dict[str, Any]) -> Any:
        reply = self.http.post(f"{self.stack.backend_url}/api/v1{path}", json=body, timeout=15)
        reply.raise_for_status()
        return reply.json()

    def kpi(self) -> dict[str, Any]:
        return self.get("/reports/kpi", days=3650)

    def complaints_of(self, phone: str) -> list[dict[str, Any]]:
        return self.get("/complaints", phone=phone)["items"]

    def claims_of(self, phone: str) -> list[dict[str, Any]]:
        return self.get("/claims", phone=phone)["items"]

    def ratings_of(self, conversation_id: str) -> list[tuple[int, str | None]]:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{self.stack.var_dir / 'courier.db'}"
        engine = create_engine(url, future=True)
        try:
            with engine.connect() as connection:
                rows = connection.execute(
                    text("SELECT score, ticket_number FROM ratings WHERE conversation_id = :c ORDER BY id"),
                    {"c": conversation_id},
                ).all()
        finally:
            engine.dispose()
        return [(row[0], row[1]) for row in rows]


def fresh_phone() -> str:
    """A mobile number no seeded customer has, so the backend's records of it are this test's alone."""
    return "1990" + f"{uuid.uuid4().int % 10**7:07d}"
