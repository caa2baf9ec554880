"""Street addresses inside a chat message, split into province / city / district / the rest.

"地址广州市天河区体育西路1号，电话139…" → 广州市天河区体育西路1号 (广东省, 广州, 天河区, 体育西路1号). The span is
found by its cue ("地址", "住在", "取件地址是…") or by a clause that starts with a place and reads like an address
(区, 路, 号…); the split is `cpca`'s (the national administrative-division codes), imported on first use because
it loads pandas. The city counts only when the customer wrote it (or its province, for the four municipalities):
cpca would otherwise guess one for a district name shared by several cities (朝阳区 is in Beijing and Changchun).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bot.vocabulary import geography
from bot.vocabulary.phones import MOBILE_IN_TEXT
from bot.vocabulary.script import to_simplified

_CUE = re.compile(r"(?:取件地址|上门地址|寄件地址|发货地址|详细地址|收货地址|地址|住址|我家在|我住在|住在|家住|我在)"
                  r"(?:改成|改为|换成|换为|应该是|其实是|是|为|在)?[:：\s]*")
# Where an address ends in a message: a clause break, or the next thing the customer says.
_END = re.compile(r"[，,。；;！!？?\n]|电话|手机|联系|我姓|我叫|姓名|寄件人|寄到|寄往|寄去|发到|送到|时间|上门时间|来取|来拿")
# What makes a clause read as an address rather than a city named in passing.
_MARKERS = re.compile(r"[区县镇乡街路道巷弄号村栋幢楼室]|小区|大厦|单元|园区|广场|中心|花园|公寓|大道|工业园|新村|社区")
_MUNICIPALITIES = {"北京", "上海", "天津", "重庆"}
MIN_LENGTH = 5


@dataclass(frozen=True)
class Address:
    """An address as written, and its parts (None where the text does not say)."""

    text: str
    province: str | None
    city: str | None
    district: str | None
    street: str | None
    start: int = 0
    end: int = 0


@lru_cache(maxsize=1)
def _cpca() -> Any:
    with warnings.catch_warnings():
        # cpca 0.5.5 reads its table through pkg_resources, which warns it is deprecated on every import
        warnings.simplefilter("ignore", DeprecationWarning)
        import cpca  # noqa: PLC0415 - loads pandas and the division table: only when an address is read

    return cpca


@lru_cache(maxsize=1)
def _place_pattern() -> re.Pattern[str]:
    spellings = sorted(geography.place_spellings(), key=len, reverse=True)
    return re.compile("|".join(re.escape(s) for s in spellings))


def _written_city(text: str) -> str | None:
    """The first unambiguous city (or municipality) written in `text`, canonical."""
    spellings = geography.place_spellings()
    for match in _place_pattern().finditer(text):
        name = spellings.get(match.group(0))
        if not name or geography.is_ambiguous(name):
            continue
        if not geography.is_province(name) or name in _MUNICIPALITIES or geography.is_outside_mainland(name):
            return name
    return None


def split_address(text: str) -> Address:
    """The parts of one address; the text is kept as written (Traditional is read, not changed)."""
    simplified = to_simplified(text).strip()
    row = _cpca().transform([simplified]).iloc[0]
    province = row.get("省") or None
    district = row.get("区") or None
    street = row.get("地址") or None
    city = _written_city(simplified)
    if city and province and geography.province_of(city) not in (None, geography.normalize_place(province)):
        district = None  # cpca matched a district of another province: trust only what was written
    return Address(text.strip(), province if city else None, city, district, street, 0, len(text.strip()))


def _span(text: str, start: int) -> tuple[int, int]:
    end_match = _END.search(text, start + 1)
    end = end_match.start() if end_match else len(text)
    phone = MOBILE_IN_TEXT.search(text, start, end)
    if phone:
        end = phone.start()
    return start, end


@lru_cache(maxsize=256)
def find_address(text: str) -> Address | None:
    """The first address in a message: after its cue, or a clause that starts with a place and has 区/路/号….

    Returns None for a message that only names a city ("寄到成都") or has no address."""
    simplified = to_simplified(text or "")
    candidates: list[tuple[int, int]] = []
    for cue in _CUE.finditer(simplified):
        candidates.append(_span(simplified, cue.end()))
    for clause in re.finditer(r"[^，,。；;！!？?\n]+", simplified):
        leading = len(clause.group(0)) - len(clause.group(0).lstrip())
        place = _place_pattern().match(simplified, clause.start() + leading)
        if place and not re.search(r"(到|往|去|寄|送|从|由)$", simplified[max(0, place.start() - 2):place.start()]):
            candidates.append(_span(simplified, place.start()))
    for start, end in sorted(set(candidates)):
        written = simplified[start:end].strip(" ：:")
        if len(written) < MIN_LENGTH or not _MARKERS.search(written) or MOBILE_IN_TEXT.fullmatch(written):
            continue
        # kept in the customer's script when converting kept the length (it almost always does)
        source = text if len(text or "") == len(simplified) else simplified
        original = source[start:end].strip(" ：:")
        found = split_address(original)
        return Address(found.text, found.province, found.city, found.district, found.street,
                       start, start + len(written))
    return None
