"""Small helpers every flow shares: money formatting, polite error replies, backend calls off-loop.

Replies are written in Simplified Chinese only; the channel layer converts them for customers who write
Traditional.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

T = TypeVar("T")

# What the customer reads when the backend cannot answer: apology, what happens next, an offer of a person.
BACKEND_DOWN_TEXT = (
    "非常抱歉，系统暂时繁忙，没能查到结果。您可以稍后再试，或者回复“转人工”，我为您转接人工客服。"
)
SAVED_BUT_UNCONFIRMED_TEXT = (
    "非常抱歉，系统暂时繁忙，您的信息已为您保留。请稍后回复“确认”重试（不会重复提交），"
    "或者回复“转人工”，由人工客服为您处理。"
)


def then_listen(events: list[EventType]) -> list[EventType]:
    """The events of an action after which the assistant always waits for the customer, plus that wait.

    Rasa otherwise runs every policy once more (TED, rules, memoization: ~10 ms) only to predict action_listen,
    which the rules already fix ("after a tracking answer the assistant waits"). The follow-up makes the
    processor listen at once. tests/actions/test_turn_ending_actions.py checks that rules and stories agree.
    """
    return [*events, FollowupAction("action_listen")]


def format_fen(fen: int | None) -> str:
    """Integer fen → "¥12.50"; "¥12" would read as a rounded figure, so two decimals always."""
    if fen is None:
        return "—"
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}¥{fen // 100}.{fen % 100:02d}"


def first_value(value: Any) -> Any:
    """Entity mappings may fill a slot with a list when an entity occurs twice; forms want one value."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


async def call_backend(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a blocking backend-client call in a worker thread so the action server keeps serving."""
    return await asyncio.to_thread(func, *args, **kwargs)


def utter_backend_down(dispatcher: CollectingDispatcher, *, confirmed_pending: bool = False) -> None:
    dispatcher.utter_message(text=SAVED_BUT_UNCONFIRMED_TEXT if confirmed_pending else BACKEND_DOWN_TEXT)
