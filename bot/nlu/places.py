"""City mentions in free text, with their role (origin or destination) from the words around them.

Matching uses a spaCy PhraseMatcher over a blank `zh` pipeline (one token per character, no model
download) built from the gazetteer in bot.vocabulary.geography. Roles come from cue words: 从/由 X → origin,
到/寄/往/至 Y → destination, X 到/寄/发 … → origin; two cities without cues read as "X → Y".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import spacy
from spacy.matcher import PhraseMatcher
from spacy.util import filter_spans

from bot.vocabulary import geography

ORIGIN, DESTINATION = "origin", "destination"

_ORIGIN_BEFORE = ("从", "由", "自", "from", "From", "FROM")
_DESTINATION_BEFORE = ("到", "往", "至", "去", "寄", "发", "送", "运", "回", "邮", "→", "->", "-", "—", "~", "～",
                       "to", "To", "TO", "老家")
# "西藏能送吗": a single place followed by these is where the parcel should go.
_DESTINATION_AFTER = ("能送", "能寄", "能到", "能不能", "可以寄", "可以送", "可不可以", "送得到", "寄得到", "到得了",
                      "收得到", "送不送", "寄不寄")
# Form-like wording: "寄件城市郑州", "收件城市是佛山".
_FIELD_FILLERS = ("城市", "地址", "地", "是", "为", ":", "：")
_ORIGIN_FIELDS = ("寄件", "发件", "寄出", "始发", "出发地", "发货")
_DESTINATION_FIELDS = ("收件", "收货", "目的地", "收件人", "派送")
_ORIGIN_AFTER = ("到", "寄", "发", "运", "送", "至", "往", "去", "→", "->", "-", "—", "~", "～", "邮", "出发")
# "在 X" says where someone is: the customer (origin) or the receiver (destination); otherwise, as in
# "还在青岛中转", it is where the parcel is and no role.
_SENDER_WORDS = ("我", "我们", "俺", "本人", "寄件人", "发件人", "人在我")
_RECEIVER_WORDS = ("收件人", "收货人", "收件方", "对方", "朋友", "家人", "客户", "他", "她", "爸妈", "父母", "老家")
_LIST_JOINERS = ("", "和", "、", "跟", "或", "或者", "还有", "及", "与", ",", "，", "/")
# An ambiguous name (来宾, 三明…) counts as a place only next to one of these.
_PLACE_CONTEXT_AFTER = ("市", "的快递", "的件", "省", "地区")


@dataclass(frozen=True)
class CityMention:
    start: int
    end: int
    value: str
    role: str | None


@lru_cache(maxsize=1)
def _matcher() -> tuple[spacy.language.Language, PhraseMatcher, dict[str, str]]:
    nlp = spacy.blank("zh")  # default segmenter "char": no jieba/pkuseg model needed
    spellings = geography.place_spellings()
    matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
    matcher.add("PLACE", [nlp.make_doc(spelling) for spelling in spellings])
    return nlp, matcher, spellings


def _stripped_before(text: str, start: int) -> str:
    return text[max(0, start - 4):start].rstrip()


def _stripped_after(text: str, end: int) -> str:
    return text[end:end + 6].lstrip()


def _located_role(text: str, start: int) -> str | None:
    before = text[:start].rstrip()
    if not before.endswith("在"):
        return None
    who = before[:-1].rstrip()
    if who.endswith(_RECEIVER_WORDS) or "给" in who[-8:]:
        return DESTINATION
    if who.endswith(_SENDER_WORDS):
        return ORIGIN
    return None


def _field_role(text: str, start: int) -> str | None:
    before = text[max(0, start - 8):start].rstrip()
    stripped = before
    while filler := next((f for f in _FIELD_FILLERS if stripped.endswith(f)), None):
        stripped = stripped[: -len(filler)].rstrip()
    if stripped == before:
        return None
    if stripped.endswith(_DESTINATION_FIELDS):
        return DESTINATION
    if stripped.endswith(_ORIGIN_FIELDS):
        return ORIGIN
    return None


def _cue_role(text: str, start: int, end: int) -> str | None:
    before, after = _stripped_before(text, start), _stripped_after(text, end)
    if before.endswith("在"):
        return _located_role(text, start)
    field_role = _field_role(text, start)
    if field_role:
        return field_role
    if before.endswith(_ORIGIN_BEFORE):
        return ORIGIN
    if before.endswith(_DESTINATION_BEFORE):
        return DESTINATION
    if after.startswith(_ORIGIN_AFTER):
        return ORIGIN
    return None


def _has_place_context(text: str, start: int, end: int) -> bool:
    before, after = _stripped_before(text, start), _stripped_after(text, end)
    return before.endswith(_ORIGIN_BEFORE + _DESTINATION_BEFORE) or after.startswith(
        _ORIGIN_AFTER + _PLACE_CONTEXT_AFTER
    )


def _is_list(text: str, mentions: list[CityMention]) -> bool:
    """"新疆西藏要加钱吗", "江苏和浙江": places named together, not a journey."""
    return all(
        text[a.end:b.start] in _LIST_JOINERS for a, b in zip(mentions, mentions[1:], strict=False)
    )


def _fill_missing_roles(mentions: list[CityMention], text: str) -> list[CityMention]:
    roles = [mention.role for mention in mentions]
    if mentions and roles[-1] is None and _stripped_after(text, mentions[-1].end).startswith(_DESTINATION_AFTER):
        roles[-1] = DESTINATION
        mentions = [*mentions[:-1], CityMention(mentions[-1].start, mentions[-1].end, mentions[-1].value, DESTINATION)]
    if len(mentions) >= 2:
        if all(role is None for role in roles):
            if _is_list(text, mentions):
                return mentions
            roles[0], roles[-1] = ORIGIN, DESTINATION
        else:
            # One cue is enough to read the other city as the opposite end of the journey.
            known = {role for role in roles if role}
            if len(known) == 1:
                other = DESTINATION if ORIGIN in known else ORIGIN
                roles = [role or other for role in roles]
    return [CityMention(m.start, m.end, m.value, role) for m, role in zip(mentions, roles, strict=True)]


def find_cities(text: str) -> list[CityMention]:
    """City and province mentions in (Simplified) text, canonical values, roles where the text says."""
    nlp, matcher, spellings = _matcher()
    doc = nlp.make_doc(text)
    spans = filter_spans([doc[start:end] for _, start, end in matcher(doc)])
    found: list[tuple[int, int, str]] = []
    for span in sorted(spans, key=lambda s: s.start_char):
        start, end = span.start_char, span.end_char
        value = spellings[span.text]
        if geography.is_ambiguous(value) and not _has_place_context(text, start, end):
            continue
        found.append((start, end, value))
    mentions = []
    for index, (start, end, value) in enumerate(found):
        if _is_address_prefix(found, index, text):
            continue
        # In "从广东深圳寄…" the cue sits before the province written in front of the city.
        cue_start = start
        if index and _is_address_prefix(found, index - 1, text):
            cue_start = found[index - 1][0]
        mentions.append(CityMention(start, end, value, _cue_role(text, cue_start, end)))
    return _fill_missing_roles(mentions, text)


def _is_address_prefix(found: list[tuple[int, int, str]], index: int, text: str) -> bool:
    """A province written right before one of its own cities ("广东深圳", "江苏省苏州市")."""
    if index + 1 >= len(found):
        return False
    _, end, value = found[index]
    next_start, _, next_value = found[index + 1]
    adjacent = not text[end:next_start].strip()
    return adjacent and geography.is_province(value) and geography.province_of(next_value) == value \
        and next_value != value
