"""The supervisors' review: messages the assistant misread, grouped; labels; the export as Rasa NLU YAML.

A message is up for review when it fell back, its intent's confidence was under REVIEW_LOW_CONFIDENCE, or the
conversation went to a person right after it; reviewed messages leave the list. Grouping is kept explainable:
messages whose text is the same once normalised (Simplified script, no punctuation or spaces, lower case) are one
group; otherwise a message joins the first group whose words (jieba) it shares at least half of (Jaccard ≥ 0.5),
and the group shows the words its messages share. Texts are stored masked (phones, addresses), so what is shown
and exported never holds them.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from bot.backend.public import ApiError, iso, utcnow
from bot.console.models import Agent, MessageRecord
from bot.console.review_vocabulary import Choices, choices, plain_text
from bot.private_files import write_private
from bot.settings import get_settings
from bot.vocabulary.script import to_simplified

MAX_CANDIDATES = 500
SIMILAR = 0.5
# Rasa reads `[text](entity)` as an annotation: a message holding brackets cannot be written as an example.
_UNWRITABLE = re.compile(r"[\[\]{}]")
_PARTICLES = frozenset("的了吗呢吧啊呀哦么嘛是我你在有")


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import jieba  # noqa: PLC0415 - loads its dictionary (about a second): only when a supervisor reviews

    jieba.setLogLevel(60)
    return jieba


def normalised(text: str) -> str:
    simplified = to_simplified(text).lower()
    return "".join(c for c in simplified if not unicodedata.category(c).startswith(("P", "Z", "S", "C")))


def words(text: str) -> frozenset[str]:
    """The message's words (jieba), without the particles that carry no topic (的, 了, 吗…)."""
    return frozenset(w for w in _jieba().lcut(normalised(text)) if w not in _PARTICLES)


@dataclass
class Group:
    key: str
    words: frozenset[str]
    records: list[MessageRecord] = field(default_factory=list)

    def shared(self) -> list[str]:
        common = self.words
        for record in self.records:
            common = common & words(record.text)
        return sorted(common)


def _similar(a: frozenset[str], b: frozenset[str]) -> bool:
    return bool(a and b) and len(a & b) / len(a | b) >= SIMILAR


def group(records: list[MessageRecord]) -> list[Group]:
    groups: list[Group] = []
    by_key: dict[str, Group] = {}
    for record in records:
        key = normalised(record.text)
        found = by_key.get(key)
        if found is None:
            mine = words(record.text)
            found = next((g for g in groups if _similar(mine, g.words)), None)
            if found is None:
                found = Group(key, mine)
                groups.append(found)
            by_key[key] = found
        found.records.append(record)
    return sorted(groups, key=lambda g: (-len(g.records), g.key))


def _why(record: MessageRecord, threshold: float) -> list[str]:
    reasons = []
    if record.fell_back:
        reasons.append("fell_back")
    if record.confidence is not None and record.confidence < threshold:
        reasons.append("low_confidence")
    if record.handed_off:
        reasons.append("handed_off")
    return reasons


def _view(record: MessageRecord, threshold: float) -> dict[str, Any]:
    return {"id": record.id, "text": record.text, "channel": record.channel, "at": iso(record.at),
            "intent": record.intent, "confidence": None if record.confidence is None else round(record.confidence, 3),
            "entities": json.loads(record.entities_json or "[]"), "why": _why(record, threshold)}


def pending(session: Session, days: int) -> dict[str, Any]:
    """The messages up for review in the last `days` days, newest first, at most MAX_CANDIDATES, grouped."""
    threshold = get_settings().review_low_confidence
    since = utcnow() - timedelta(days=days)
    records = list(session.execute(
        select(MessageRecord).where(
            MessageRecord.at >= since, MessageRecord.reviewed_at.is_(None),
            or_(MessageRecord.fell_back.is_(True), MessageRecord.handed_off.is_(True),
                MessageRecord.confidence < threshold))
        .order_by(MessageRecord.at.desc(), MessageRecord.id.desc()).limit(MAX_CANDIDATES)
    ).scalars())
    vocabulary = choices()
    return {
        "groups": [{"key": g.key, "shared_words": g.shared(), "size": len(g.records),
                    "messages": [_view(r, threshold) for r in g.records]} for g in group(records)],
        "intents": list(vocabulary.intents),
        "entities": {name: list(roles) for name, roles in vocabulary.entities.items()},
        "low_confidence": threshold,
        "truncated": len(records) == MAX_CANDIDATES,
    }


def _checked_entities(text: str, entities: list[dict[str, Any]], vocabulary: Choices) -> list[dict[str, Any]]:
    spans: list[dict[str, Any]] = []
    for entity in sorted(entities, key=lambda e: e["start"]):
        start, end, name, role = entity["start"], entity["end"], entity["entity"], entity.get("role")
        if name not in vocabulary.entities:
            raise ApiError(422, "unknown_entity", f"没有这个实体：{name}。")
        if role and role not in vocabulary.entities[name]:
            raise ApiError(422, "unknown_role", f"实体 {name} 没有这个角色：{role}。")
        if not 0 <= start < end <= len(text) or not text[start:end].strip():
            raise ApiError(422, "bad_span", "实体的位置超出了这条消息。")
        if spans and start < spans[-1]["end"]:
            raise ApiError(422, "overlapping_entities", "两个实体的位置重叠了。")
        spans.append({"start": start, "end": end, "entity": name, **({"role": role} if role else {})})
    return spans


def label(session: Session, agent: Agent, items: list[dict[str, Any]]) -> dict[str, Any]:
    """Record a supervisor's reading of each message: its intent (confirmed or corrected) and entities."""
    vocabulary = choices()
    now = utcnow()
    labelled = []
    for item in items:
        record = session.get(MessageRecord, item["id"])
        if record is None:
            raise ApiError(404, "message_not_found", f"没有找到消息 {item['id']}。")
        if item["intent"] not in vocabulary.intents:
            raise ApiError(422, "unknown_intent", f"没有这个意图：{item['intent']}。")
        if _UNWRITABLE.search(record.text):
            raise ApiError(422, "not_exportable", "这条消息含有方括号或花括号，无法写成训练样例。")
        record.reviewed_intent = item["intent"]
        record.reviewed_entities_json = json.dumps(_checked_entities(record.text, item["entities"], vocabulary),
                                                   ensure_ascii=False)
        record.reviewed_by = agent.id
        record.reviewed_at = now
        labelled.append(record.id)
    session.commit()
    return {"labelled": labelled}


def _annotated(text: str, entities: list[dict[str, Any]]) -> str:
    out, at = [], 0
    for entity in entities:
        start, end = entity["start"], entity["end"]
        if entity.get("role"):
            tag = json.dumps({"entity": entity["entity"], "role": entity["role"]}, ensure_ascii=False)
        else:
            tag = f"({entity['entity']})"
        out += [text[at:start], f"[{text[start:end]}]", tag]
        at = end
    out.append(text[at:])
    return "".join(out)


def examples(session: Session, vocabulary: Choices | None = None) -> dict[str, list[str]]:
    """Reviewed examples by intent: one per text (the latest label wins), none the data already holds."""
    vocabulary = vocabulary or choices()
    latest: dict[str, tuple[str, str]] = {}
    for record in session.execute(select(MessageRecord).where(MessageRecord.reviewed_at.is_not(None))
                                  .order_by(MessageRecord.reviewed_at, MessageRecord.id)).scalars():
        text = " ".join(record.text.split())
        if text != record.text or _UNWRITABLE.search(text) or record.reviewed_intent not in vocabulary.intents:
            continue  # spans were set on the stored text; a label from an older model's intents is left out
        if plain_text(text) in vocabulary.known_texts:
            continue
        latest[text] = (record.reviewed_intent, _annotated(text, json.loads(record.reviewed_entities_json or "[]")))
    by_intent: dict[str, list[str]] = {}
    for intent, example in latest.values():
        by_intent.setdefault(intent, []).append(example)
    return dict(sorted(by_intent.items()))


def export_yaml(session: Session, now: datetime | None = None) -> str:
    """The reviewed examples as a Rasa NLU training file."""
    lines = ['version: "3.1"', "",
             "# Written by the agent console's review page (docs/review-loop.md): customer messages a supervisor",
             f"# labelled, phones and addresses masked. Exported {iso(now or utcnow())}; edit in the console, not here.",
             "", "nlu:"]
    found = examples(session)
    for intent, items in found.items():
        lines += [f"  - intent: {intent}", "    examples: |"]
        lines += [f"      - {example}" for example in items]
    if not found:
        lines[-1] = "nlu: []"
    return "\n".join(lines) + "\n"


def write_export(session: Session, path: Path | None = None) -> dict[str, Any]:
    """Write the export where training reads it (REVIEW_EXPORT_PATH, data/nlu/reviewed.yml by default)."""
    path = path or get_settings().review_export_path
    content = export_yaml(session)
    write_private(path, content)
    return {"path": str(path), "examples": sum(1 for line in content.splitlines() if line.startswith("      - "))}


def message_figures(session: Session, since: datetime, top: int = 5) -> dict[str, Any]:
    """The KPI page's figures from the per-message analytics: messages, how many fell back, and the topics the
    assistant most often left unhandled (fell back or went to a person), grouped as on the review page."""
    total, fell_back = session.execute(
        select(func.count(MessageRecord.id), func.sum(case((MessageRecord.fell_back.is_(True), 1), else_=0)))
        .where(MessageRecord.at >= since)).one()
    unhandled = list(session.execute(
        select(MessageRecord).where(MessageRecord.at >= since,
                                    or_(MessageRecord.fell_back.is_(True), MessageRecord.handed_off.is_(True)))
        .order_by(MessageRecord.at.desc(), MessageRecord.id.desc()).limit(MAX_CANDIDATES)).scalars())
    topics = [{"topic": " ".join(g.shared()) or g.records[0].text, "count": len(g.records),
               "example": g.records[0].text} for g in group(unhandled)[:top]]
    return {"messages": total, "fell_back": int(fell_back or 0),
            "fallback_rate": round(int(fell_back or 0) / total, 4) if total else None, "top_unhandled": topics}
