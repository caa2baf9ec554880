"""What a customer is told when the backend has locked an identity proof (429 `verification_locked`).

The backend counts wrong answers per parcel and per phone across every chat (bot/backend/services/
proof_attempts.py), so the lock may come from someone else's guesses: the reply blames nobody, says how long
to wait and offers a person. Written in Simplified; the channels convert it for Traditional writers.
"""

from __future__ import annotations

import math

from bot.clients.backend import TooManyAttempts

PARCEL = "该单号的验证"
TICKETS_BY_PHONE = "这个手机号的查询核对"


def wait_text(retry_after_s: int) -> str:
    minutes = max(1, math.ceil(retry_after_s / 60))
    if minutes < 120:
        return f"{minutes} 分钟"
    return f"{math.ceil(minutes / 60)} 小时"


def lockout_text(what: str, retry_after_s: int) -> str:
    return (f"抱歉，为了您的信息安全，{what}已暂时锁定，请 {wait_text(retry_after_s)}后再试。"
            "如需帮助，可以回复“转人工”，由人工客服为您核实。")


def lockout_text_for(what: str, error: TooManyAttempts) -> str:
    return lockout_text(what, error.retry_after_s)
