"""An action that cannot run answers the customer with an apology and listens; form rejections pass through."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest
import rasa.core.actions.action as rasa_actions
from rasa.core.actions.action import Action, ActionExecutionRejection, RemoteAction
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, FollowupAction
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.action_failure import ACTION_FAILED_TEXT, bound_action_wait, polite_on_failure


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(action: Action) -> list:
    tracker = DialogueStateTracker.from_events("customer-1", [])
    return asyncio.run(polite_on_failure(action)(None, None, tracker, Domain.empty()))


def test_an_unreachable_action_server_gets_the_customer_an_apology_and_a_listen() -> None:
    endpoint = EndpointConfig(url=f"http://127.0.0.1:{closed_port()}/webhook")
    events = run(RemoteAction("action_track_parcel", endpoint))
    assert events == [BotUttered(ACTION_FAILED_TEXT), FollowupAction(ACTION_LISTEN_NAME)]


def test_a_form_rejection_is_not_turned_into_an_apology() -> None:
    class Rejecting(Action):
        def name(self) -> str:
            return "validate_tracking_form"

        async def run(self, *args, **kwargs) -> list:
            raise ActionExecutionRejection(self.name())

    with pytest.raises(ActionExecutionRejection):
        run(Rejecting())


def test_the_apology_is_polite_simplified_chinese_without_a_person_offer() -> None:
    # The handoff is an action too: offering it while actions fail would promise what cannot happen.
    assert ACTION_FAILED_TEXT.startswith("非常抱歉") and "转人工" not in ACTION_FAILED_TEXT


def test_a_stuck_action_server_gets_the_customer_an_apology_within_the_bound() -> None:
    # A server that accepts the call and never answers: Rasa alone would hold the customer for 5 minutes.
    with socket.socket() as stuck:
        stuck.bind(("127.0.0.1", 0))
        stuck.listen()
        endpoint = EndpointConfig(url=f"http://127.0.0.1:{stuck.getsockname()[1]}/webhook")
        original = rasa_actions.DEFAULT_REQUEST_TIMEOUT
        bound_action_wait(0.5)
        try:
            started = time.monotonic()
            events = run(RemoteAction("action_track_parcel", endpoint))
            waited = time.monotonic() - started
        finally:
            bound_action_wait(original)
    assert events == [BotUttered(ACTION_FAILED_TEXT), FollowupAction(ACTION_LISTEN_NAME)]
    assert waited < 5


def test_the_action_server_wait_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.settings import Settings

    monkeypatch.setenv("ACTION_SERVER_TIMEOUT_S", "7.5")
    assert Settings().action_server_timeout_s == 7.5
    assert Settings().action_server_timeout_s < 300
