"""Issue 13 (finding 1): the Rasa server refuses bodies and websocket messages beyond RASA_MAX_REQUEST_BYTES."""

from __future__ import annotations

import pytest
from sanic import Blueprint, Sanic
from sanic.config import Config

from bot.channels.http_limits import apply_limits, bound_request_size
from bot.settings import get_settings

pytestmark = pytest.mark.security


def test_the_limits_replace_sanics_defaults() -> None:
    config = Config()
    assert config.REQUEST_MAX_SIZE == 100_000_000  # Sanic's default: 100 MB read before anyone looks
    apply_limits(config)
    limit = get_settings().rasa_max_request_bytes
    assert config.REQUEST_MAX_SIZE == limit and config.WEBSOCKET_MAX_SIZE == limit
    assert limit < 50 * 1024 * 1024


def test_a_channel_blueprint_makes_its_app_apply_them_before_serving() -> None:
    app = Sanic("limits_test_app")
    app.blueprint(bound_request_size(Blueprint("limits_test_bp")))
    listeners = app.listeners["main_process_start"]
    assert listeners
    for listener in listeners:
        listener(app, None)
    assert app.config.REQUEST_MAX_SIZE == get_settings().rasa_max_request_bytes
