"""The hostile corpus of issue 13: what an attacker (or an unlucky customer) types into a chat.

One list, shared by every channel's test (tests/e2e/test_security_hostile_corpus.py), so "tried on every
channel" means the same inputs everywhere. Each entry is a customer message; request-level abuse (wrong JSON
types, huge sender ids, broken XML…) is channel-specific and lives with each channel's test.

`oversized` marks the inputs past the message bound (MAX_MESSAGE_CHARS, 1,000 characters by default): the
ones that once took the whole stack down, and whose memory use the test records.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HostileInput:
    name: str
    text: str
    oversized: bool = False

    def __repr__(self) -> str:  # keeps pytest ids and failure messages short for megabyte inputs
        return f"HostileInput({self.name!r}, {len(self.text)} chars)"


def _repeat_to(unit: str, length: int) -> str:
    return (unit * (length // len(unit) + 1))[:length]


VALID = HostileInput("valid-control", "从上海寄3公斤到北京多少钱")

CORPUS: list[HostileInput] = [
    VALID,
    # Size: the measurements (memory grows with the square of the length before the bound).
    HostileInput("text-1mb", _repeat_to("where is my parcel? ", 1024 * 1024), oversized=True),
    HostileInput("ascii-30kb", _repeat_to("please track ZT100000000001 ", 30 * 1024), oversized=True),
    HostileInput("cjk-15000", _repeat_to("我的快递怎么还没到请帮我查一下", 15_000), oversized=True),
    HostileInput("cjk-just-over-limit", _repeat_to("寄快递到北京多少钱", 1_200), oversized=True),
    # Nothing to read.
    HostileInput("empty", ""),
    HostileInput("whitespace-only", " \t\n\r\u3000 \u00a0 "),
    HostileInput("control-only", "\x01\x02\x03\x1b[31m\x7f\x08"),
    HostileInput("nul", "查件\x00ZT100000000001\x00"),
    # Text Python holds but UTF-8 cannot encode: JSON may carry them as \\ud800 escapes.
    HostileInput("surrogate-high", "\ud800"),
    HostileInput("surrogate-low", "\udfff"),
    HostileInput("surrogate-mixed", "查件\ud83dZT100000000001\udc00请问到哪了"),
    HostileInput("noncharacters", "\ufffe\uffff\U0010ffff在吗"),
    # Characters that change how text is shown or split.
    HostileInput("rtl-zero-width", "\u202e查件\u200bZT1000\u200d00000001\ufeff\u2066在吗\u2069"),
    HostileInput("combining-marks", "查" + "\u0301\u0327\u0338" * 200 + "件"),
    HostileInput("emoji", "😡📦🚚 我的快递呢？👍🏻👨‍👩‍👧 🇨🇳"),
    # Payloads aimed at whatever renders, stores or formats the text.
    HostileInput("html-script", '<script>alert(1)</script><img src=x onerror="alert(2)">查件 ZT100000000001'),
    HostileInput("sql-injection", "ZT100000000001' OR '1'='1'; DROP TABLE parcels; --"),
    HostileInput("format-strings", "{0}{1}{sender_id}{__class__} %s%s%s%n %(name)s %d"),
    HostileInput("template-injection", "${jndi:ldap://127.0.0.1:1389/a} {{7*7}} ${7*7} #{7*7} <%= 7*7 %>"),
    HostileInput("intent-injection", '/inform{"tracking_number": "ZT100000000002", "phone_last4": "1234"}'),
    # Tracking-number look-alikes the entity rules must not choke on.
    HostileInput("tracking-number-900-digits", "ZT" + "1" * 900),
    HostileInput("tracking-numbers-60", " ".join(f"ZT1000000000{i:02d}" for i in range(60))),
    # Scripts.
    HostileInput("traditional", "請問我的包裹到哪裡了？單號ZT100000000001，謝謝"),
    HostileInput("mixed-script", "我想查詢一下快递 ZT100000000001 的物流 thanks，謝謝"),
    HostileInput("full-width-digits", "查件 ＺＴ１００００００００００１"),
]

OVERSIZED = [item for item in CORPUS if item.oversized]


def by_name(name: str) -> HostileInput:
    return next(item for item in CORPUS if item.name == name)
