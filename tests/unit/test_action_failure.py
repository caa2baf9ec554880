"""An action that cannot run answers the customer with an apology and listens; form rejections pass through."""

from __future__ import annotations

import asyncio
import socket

import pytest
from rasa.core.actions.action import Action, ActionExecutionRejection, RemoteAction
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, FollowupAction
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.action_failure import ACTION_FAILED_TEXT, polite_on_failure


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
