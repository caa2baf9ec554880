"""Why a conversation goes to a person: the one list of handoff reasons, with what the console shows for each.

The actions send a reason with every handoff; the console routes by it (bot/console/routing.py), shows its
Chinese text to agents and refuses any other; the KPI report counts handoffs by it. Reasons are plain strings
(stored in the database, sent over the API, kept in a slot), named here once.
"""

from __future__ import annotations


class HandoffReason:
    """The reasons, as constants: `HandoffReason.ANGRY_CUSTOMER == "angry_customer"`."""

    ASKED_FOR_HUMAN = "asked_for_human"
    NOT_UNDERSTOOD_TWICE = "not_understood_twice"
    BACKEND_DOWN = "backend_down"
    ANGRY_CUSTOMER = "angry_customer"
    COMPLAINT = "complaint"
    CLAIM_OVER_LIMIT = "claim_over_limit"
    CLAIM = "claim"
    MANAGER_REQUESTED = "manager_requested"


# What an agent reads in the console for each reason; its keys are every reason there is.
TEXT: dict[str, str] = {
    HandoffReason.ASKED_FOR_HUMAN: "顾客要求人工",
    HandoffReason.NOT_UNDERSTOOD_TWICE: "连续两次没听懂",
    HandoffReason.BACKEND_DOWN: "系统故障",
    HandoffReason.ANGRY_CUSTOMER: "顾客情绪激动",
    HandoffReason.COMPLAINT: "投诉",
    HandoffReason.CLAIM_OVER_LIMIT: "理赔金额超出自动处理上限",
    HandoffReason.CLAIM: "理赔",
    HandoffReason.MANAGER_REQUESTED: "重点客户找客户经理",
}
REASONS: tuple[str, ...] = tuple(TEXT)


def text_of(reason: str) -> str:
    """The Chinese text of a reason; an unknown one (an old row) is shown as it is."""
    return TEXT.get(reason, reason)
