"""A customer whose turn needs an action that cannot run gets an apology, not silence.

When the action server is down (crashed, restarting under bot/supervisor.py) or an action fails, Rasa 3.6 logs
"Encountered an exception while running action", drops the action's events and predicts on: the customer
usually gets no reply at all and cannot tell whether the message arrived. Here the failed action instead
says ACTION_FAILED_TEXT and the assistant waits for the customer, so one apology per turn at most; the channel
layer converts it for customers who write Traditional (bot/channels/script_output.py).

ActionExecutionRejection is Rasa's normal signal inside forms ("this slot was not filled") and passes through.
The text does not offer a person: the handoff is an action too, and would fail the same way.

A stuck action server (hung on a dead database, a lost socket) is a failure too: Rasa 3.6 waits five minutes
for each action call (rasa.core.constants.DEFAULT_REQUEST_TIMEOUT), holding the customer's conversation lock
all that time. `install` bounds that wait to ACTION_SERVER_TIMEOUT_S.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import rasa.core.actions.action as rasa_actions
from rasa.core.actions.action import Action, ActionExecutionRejection
from rasa.core.processor import MessageProcessor
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import BotUttered, Event, FollowupAction

logger = logging.getLogger(__name__)

ACTION_FAILED_TEXT = "非常抱歉，系统暂时繁忙，这一步没能完成。请稍等片刻再发一次消息，我会继续为您处理。"

_rasa_run_action = MessageProcessor._run_action


def polite_on_failure(action: Action) -> Callable[..., Awaitable[list[Event]]]:
    """The action's run method, answering ACTION_FAILED_TEXT and listening when it raises."""
    run = action.run

    async def run_or_apologise(*args: Any, **kwargs: Any) -> list[Event]:
        try:
            return await run(*args, **kwargs)
        except (ActionExecutionRejection, asyncio.CancelledError):
            raise
        except Exception as error:
            # No tracker content here: the message names the action and the failure only.
            logger.error("Action '%s' could not run (%s: %s); the customer was asked to write again shortly.",
                         action.name(), type(error).__name__, error)
            return [BotUttered(ACTION_FAILED_TEXT), FollowupAction(ACTION_LISTEN_NAME)]

    run_or_apologise.polite = True  # type: ignore[attr-defined]
    return run_or_apologise


async def run_action_politely(self: MessageProcessor, action: Action, *args: Any, **kwargs: Any) -> bool:
    """Drop-in for MessageProcessor._run_action (Rasa makes a new action object for every run)."""
    if not getattr(action.run, "polite", False):
        action.run = polite_on_failure(action)  # type: ignore[method-assign]
    return await _rasa_run_action(self, action, *args, **kwargs)


def bound_action_wait(seconds: float) -> None:
    """How long Rasa waits for the action server's answer to one action call."""
    # RemoteAction.run reads the module-level name at call time, so rebinding it applies to every call.
    rasa_actions.DEFAULT_REQUEST_TIMEOUT = seconds  # type: ignore[attr-defined]


def install(action_server_timeout_s: float) -> None:
    MessageProcessor._run_action = run_action_politely  # type: ignore[method-assign]
    bound_action_wait(action_server_timeout_s)
