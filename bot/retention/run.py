"""Carry out a purge or an erasure: batched (a commit every BATCH rows, so a big first purge never holds long
locks), idempotent (anonymised rows no longer match), and with --dry-run only counting."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, inspect, select
from sqlalchemy.orm import Session

from bot.backend.clock import utcnow
from bot.backend.schemas import normalize_phone
from bot.backend.services.chat_uploads import erase_session as erase_chat_photos
from bot.backend.services.chat_uploads import prune as prune_chat_photos
from bot.retention.plan import Kept, Step, erase_kept, erase_steps, find_subject, purge_kept, purge_steps
from bot.retention.tracker_events import TrackerStore
from bot.settings import get_settings
from bot.vocabulary.phones import mask_phone

BATCH = 500
SessionFactory = Callable[[], Session]


@dataclass
class Report:
    """What a run did (or, dry, would do): rows per step, files deleted, rows kept on purpose."""

    action: str
    dry_run: bool
    counts: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)
    files_deleted: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def lines(self) -> list[str]:
        verb = "would change" if self.dry_run else "changed"
        lines = [f"{self.action}: {verb} {self.total} rows" + ("" if self.dry_run else
                                                              f", deleted {self.files_deleted} files")]
        lines += [f"  {count:>7}  {label}" for label, count in self.counts.items() if count]
        lines += [f"  kept {count:>2}  {label}" for label, count in self.kept.items() if count]
        return lines + [f"  note: {note}" for note in self.notes]


def purge(days: int | None = None, dry_run: bool = False, *, session_factory: SessionFactory | None = None,
          tracker_store_url: str | None = None, now: datetime | None = None) -> Report:
    """Delete or anonymise personal data older than `days` (default RETENTION_DAYS; 0 keeps everything)."""
    settings = get_settings()
    days = settings.retention_days if days is None else days
    report = Report(f"purge of data older than {days} days", dry_run)
    if days <= 0:
        report.notes.append("RETENTION_DAYS is 0: data is kept without limit, nothing purged")
        return report
    now = now or utcnow()
    cutoff = now - timedelta(days=days)
    _run(purge_steps(cutoff, now), purge_kept(cutoff), report, session_factory or _default_sessions())
    url = settings.conversation_store_url if tracker_store_url is None else tracker_store_url
    if url:
        cutoff_ts = cutoff.replace(tzinfo=timezone.utc).timestamp()
        report.counts["Rasa conversations deleted (tracker store)"] = TrackerStore(url).purge_before(cutoff_ts,
                                                                                                     dry_run)
    else:
        report.notes.append("tracker store in memory: conversations are not kept beyond Rasa's process")
    # Web chat photos no claim took have a much shorter period of their own (CHAT_UPLOAD_KEEP_HOURS).
    _held_photos(report, "web chat photos held past CHAT_UPLOAD_KEEP_HOURS deleted",
                 prune_chat_photos(force=True, dry_run=dry_run))
    return report


def erase(phone: str | None = None, conversation: str | None = None, dry_run: bool = False, *,
          session_factory: SessionFactory | None = None, tracker_store_url: str | None = None) -> Report:
    """Remove or anonymise every row and file of one customer (by phone) or one conversation."""
    phones = _phone_forms(phone) if phone else set()
    who = " and ".join(part for part in (phone and f"phone {mask_phone(phone)}",
                                         conversation and f"conversation {mask_conversation(conversation)}") if part)
    report = Report(f"erasure for {who}", dry_run)
    sessions = session_factory or _default_sessions()
    with sessions() as session:
        subject = find_subject(session, phones, [conversation] if conversation else [])
    report.notes.append(f"{len(subject.conversations)} conversations: "
                        + ", ".join(sorted(mask_conversation(c) for c in subject.conversations)))
    settings = get_settings()
    url = settings.conversation_store_url if tracker_store_url is None else tracker_store_url
    if url:
        report.counts["Rasa conversation events deleted (tracker store)"] = TrackerStore(url).erase(
            subject.conversations, dry_run)
    _run(erase_steps(subject), erase_kept(subject), report, sessions)
    _held_photos(report, "web chat photos held for the conversations deleted",
                 sum(erase_chat_photos(conversation_id, dry_run) for conversation_id in subject.conversations))
    return report


def _held_photos(report: Report, label: str, count: int) -> None:
    report.counts[label] = count
    if not report.dry_run:
        report.files_deleted += count


def mask_conversation(conversation_id: str) -> str:
    """A conversation id in a printed summary: enough to recognise it, not a WeChat openid in full."""
    return conversation_id if len(conversation_id) <= 8 else f"{conversation_id[:6]}…{conversation_id[-2:]}"


def _phone_forms(phone: str) -> set[str]:
    """The number as the customer gave it and as the backend stores it (digits, no +86)."""
    forms = {phone.strip()}
    try:
        forms.add(normalize_phone(phone))
    except ValueError:
        pass
    return forms


def _default_sessions() -> SessionFactory:
    from bot.backend.db import new_session

    return new_session


def _run(steps: list[Step], kept: list[Kept], report: Report, sessions: SessionFactory) -> None:
    for step in steps:
        with sessions() as session:
            if report.dry_run:
                count = session.scalar(select(func.count()).select_from(step.model).where(step.where))
            else:
                count = _apply(session, step, report)
        report.counts[step.label] = report.counts.get(step.label, 0) + (count or 0)
    with sessions() as session:
        for rule in kept:
            report.kept[rule.label] = session.scalar(select(func.count()).select_from(rule.model).where(rule.where))


def _apply(session: Session, step: Step, report: Report) -> int:
    keys = inspect(step.model).primary_key
    if len(keys) != 1:  # small counter tables keyed by (scope, subject): one statement
        done = session.execute(delete(step.model).where(step.where)
                               .execution_options(synchronize_session=False)).rowcount
        session.commit()
        return done
    key, last, done = keys[0], None, 0
    while True:
        query = select(key).where(step.where).order_by(key).limit(BATCH)
        if last is not None:
            query = query.where(key > last)
        ids = session.scalars(query).all()
        if not ids:
            return done
        if step.anonymise is None:
            session.execute(delete(step.model).where(key.in_(ids)).execution_options(synchronize_session=False))
        else:
            for row in session.scalars(select(step.model).where(key.in_(ids))):
                report.files_deleted += step.anonymise(session, row)
        session.commit()
        done, last = done + len(ids), ids[-1]
