"""Helpers for the tracking/quote/pickup e2e conversations (flows-1): the tracker's slots and stored pickups."""

from __future__ import annotations

import os
from typing import Any

import requests
from sqlalchemy import create_engine, text


def slots_of(stack: Any, sender: str) -> dict[str, Any]:
    """The conversation's slots, from Rasa's HTTP API (enabled for local use)."""
    reply = requests.get(f"{stack.rasa_url}/conversations/{sender}/tracker", params=stack.rasa_auth, timeout=15)
    reply.raise_for_status()
    return reply.json()["slots"]


def pickups_of(stack: Any, conversation_id: str) -> list[dict[str, Any]]:
    """Pickups the backend stored for a conversation (the API has no read endpoint for them)."""
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{stack.var_dir / 'courier.db'}"
    engine = create_engine(url, future=True)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT pickup_id, tracking_number, sender_name, sender_phone, pickup_address, origin, "
                     "destination, item, time_window, estimated_fee_fen FROM pickups "
                     "WHERE conversation_id = :c ORDER BY id"),
                {"c": conversation_id},
            ).mappings().all()
    finally:
        engine.dispose()
    return [dict(row) for row in rows]
