"""The turn probe: behind the API token, and "unavailable" when no model is loaded (the real model: e2e)."""

from __future__ import annotations

import asyncio

import pytest

from bot.rasa_api_guard import refusal
from bot.rasa_health import PROBE_SENDER, TURN_PROBE_PATH, NotReady, probe_turn


def test_the_probe_needs_the_api_token() -> None:
    assert refusal(TURN_PROBE_PATH, None, "secret-token").status == 401
    assert refusal(TURN_PROBE_PATH, "secret-token", "secret-token") is None


def test_no_model_is_not_ready() -> None:
    from rasa.core.agent import Agent

    with pytest.raises(NotReady, match="no model"):
        asyncio.run(probe_turn(Agent()))
    with pytest.raises(NotReady):
        asyncio.run(probe_turn(None))


def test_the_probe_sender_cannot_be_a_web_or_wechat_customer() -> None:
    assert PROBE_SENDER.startswith("__") and " " not in PROBE_SENDER
