"""Whether a customer asks about the rule in general or about their own case; whether they ask how long
their wait for a person still is.

"理赔一般多久到账" wants the rule (3 working days after approval); "我的赔款怎么还没到账" wants their claim looked
up. Both reach the same status look-up, so the look-up answers the rule first when the question is general and
names nothing of the customer's own (no ticket number, no phone, no "我的…还没…").
"""

from __future__ import annotations

import re

from bot.vocabulary.script import to_simplified

# How long / when: the shape of a question about a time limit.
_DURATION = re.compile(r"多久|多长时间|多少天|几天|几日|几耐|几个工作日|什么时候|啥时候|何时|时效|期限|要多长")
# The customer's own case: a possessive, something already filed, or something overdue.
_OWN_CASE = re.compile(
    r"我的|我那|我家|我们的|我这|我申请|我提交|我投诉|我报|我填|我交|我之前|我上次|我昨天|我前天|我上周|我上个月|"
    r"申请了|提交了|投诉了|报了|已经|之前|上次|上周|上个月|昨天|前天|"
    r"还没|还不|怎么还|咋还|没到|没收到|没动静|没消息|没人|没回|"
    r"到账没|到了没|了没|了吗|进度|查一?下|帮我|给我查|到哪"
)
_NUMBER = re.compile(r"\d{6,}")


def is_general_question(text: str) -> bool:
    """True for a question about a time limit that names nothing of the customer's own case."""
    plain = to_simplified(text or "")
    if _NUMBER.search(plain):
        return False
    return bool(_DURATION.search(plain)) and not _OWN_CASE.search(plain)


# Asked while queued for a person: how long, which place, why nobody has come yet. Short turns only: a longer
# message is a question of its own for the assistant (and a tracking number makes it a parcel question).
_QUEUE_WAIT = re.compile(
    r"^(请问|那|那么|所以|哎|唉|啊)?(我)?(还|还要|还得|要|得|需要)?(再)?(等|排)(多久|多长时间|几分钟|多少分钟|到什么时候)|"
    r"前面还有(几|多少)(个|位|人)|排到(我|第几)|轮到我|排第几|"
    r"(客服|人工|人)(怎么|咋)?还(没|不)(来|接|回|到)|(什么|啥)时候(能|才)?(有人|轮到|接入)|还要排(多久|几)"
)


def is_queue_wait_question(text: str) -> bool:
    """True for "还要等多久" / "前面还有几个人" and the like: the customer asks about their place in the queue."""
    plain = to_simplified((text or "").strip())
    if len(plain) > 20 or _NUMBER.search(plain):
        return False
    return bool(_QUEUE_WAIT.search(plain))
