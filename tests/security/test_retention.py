"""Personal data at rest: the retention purge and the erasure on request, on SQLite and PostgreSQL, with Rasa's
SQL tracker store and the evidence and sign-off photo files (issue 13, finding 10)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.backend.db import run_migrations
from bot.backend.models import (
    Claim,
    ClaimEvidence,
    Complaint,
    ComplaintStage,
    ConversationEvent,
    Customer,
    IdempotencyRecord,
    Parcel,
    ParcelNotice,
    ParcelSubscription,
    Pickup,
    QuoteRequest,
    Rating,
    VerificationToken,
)
from bot.console.models import CallbackRequest, Handoff, HandoffMessage
from bot.retention import erase, purge
from bot.settings import ROOT, get_settings
from tests.support import require_service

pytestmark = pytest.mark.security

NOW = datetime(2026, 12, 6, 8, 0, 0)
OLD = NOW - timedelta(days=200)
RECENT = NOW - timedelta(days=10)
OLD_PHONE, ERASED_PHONE, OTHER_PHONE = "13812345678", "13998765432", "13700001111"


@dataclass
class Store:
    engine: Engine
    sessions: sessionmaker
    tracker_url: str
    var_dir: Path


def _pg_admin(sql: str) -> None:
    import psycopg2

    connection = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(sql)
    connection.close()


@pytest.fixture(params=[pytest.param("sqlite", id="sqlite"),
                        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    monkeypatch.setenv("COURIER_VAR_DIR", str(tmp_path))
    get_settings.cache_clear()
    name = None
    if request.param == "sqlite":
        url, tracker_url = f"sqlite:///{tmp_path / 'courier.db'}", f"sqlite:///{tmp_path / 'rasa.db'}"
    else:
        require_service("PostgreSQL", "127.0.0.1", 5432)
        name = f"courier_retention_{uuid.uuid4().hex[:10]}"
        _pg_admin(f'CREATE DATABASE "{name}"')
        url = tracker_url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    engine = create_engine(url, future=True)
    try:
        run_migrations(engine)
        _create_tracker_events(tracker_url)
        yield Store(engine, sessionmaker(bind=engine, future=True, expire_on_commit=False), tracker_url, tmp_path)
    finally:
        engine.dispose()
        if name:
            _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        get_settings.cache_clear()


def _create_tracker_events(url: str) -> None:
    """Rasa's own SQL tracker store table, as Rasa creates it."""
    from rasa.core.tracker_store import SQLTrackerStore

    engine = create_engine(url, future=True)
    SQLTrackerStore.Base.metadata.create_all(engine)
    engine.dispose()


def _tracker_events(store: Store, sender: str, when: datetime, texts: list[str]) -> None:
    engine = create_engine(store.tracker_url, future=True)
    with engine.begin() as connection:
        for index, message in enumerate(texts):
            connection.execute(text(
                "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (:s, 'user', :t, :d)"),
                {"s": sender, "t": (when - datetime(1970, 1, 1)).total_seconds() + index,
                 "d": f'{{"event": "user", "text": "{message}"}}'})
    engine.dispose()


def _tracker_senders(store: Store) -> set[str]:
    engine = create_engine(store.tracker_url, future=True)
    with engine.connect() as connection:
        senders = set(connection.execute(text("SELECT DISTINCT sender_id FROM events")).scalars())
    engine.dispose()
    return senders


def _parcel(number: str, status: str, created: datetime, sender_phone: str, receiver_phone: str,
            photo: str | None = None) -> Parcel:
    return Parcel(tracking_number=number, status=status, origin_city="上海", destination_city="北京",
                  current_city="北京", sender_name="贺俊杰", sender_phone=sender_phone,
                  sender_address="上海市浦东新区张江路123号", receiver_name="李娜", receiver_phone=receiver_phone,
                  receiver_address="北京市朝阳区望京街8号", signed_by="李娜" if status == "delivered" else None,
                  pod_photo_url=photo, created_at=created)


def _complaint(number: str, stage: str, created: datetime, phone: str, conversation: str) -> Complaint:
    return Complaint(number=number, category="delay", description=f"我的手机{phone}，快递一直不到",
                     contact_phone=phone, conversation_id=conversation, stage=stage, created_at=created,
                     response_due_at=created + timedelta(hours=24))


def _claim(number: str, stage: str, created: datetime, phone: str, conversation: str) -> Claim:
    return Claim(number=number, tracking_number="ZT100000000002", claim_type="damage", insured=False,
                 description="外包装破损，我家在张江路123号", contact_phone=phone, conversation_id=conversation,
                 stage=stage, compensation_cap_fen=3000, cap_rule="uninsured", needs_manual_review=False,
                 created_at=created)


def _evidence(store: Store, session: Session, claim: Claim) -> Path:
    folder = store.var_dir / "evidence" / claim.number
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}.jpg"
    path.write_bytes(b"\xff\xd8 photo")
    session.add(ClaimEvidence(claim_id=claim.id, content_type="image/jpeg", size_bytes=8, sha256="0" * 64,
                              path=str(path), created_at=claim.created_at))
    return path


def _pod_photo(store: Store, number: str) -> Path:
    folder = store.var_dir / "pod"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{number}.jpg"
    path.write_bytes(b"\xff\xd8 signature")
    return path


def _handoff(conversation: str, phone: str, created: datetime) -> Handoff:
    return Handoff(conversation_id=conversation, channel="socketio", reason="asked", team_code="general",
                   customer_phone=phone, slots_json=f'{{"sender_phone": "{phone}"}}',
                   transcript_json=f'[{{"text": "我的手机号是{phone}"}}]', status="ended", created_at=created)


def _seed_old_and_recent(store: Store) -> dict[str, Path]:
    with store.sessions() as session:
        session.add_all([
            _parcel("ZT900000000001", "delivered", OLD, OLD_PHONE, OTHER_PHONE, "/pod/ZT900000000001.jpg"),
            _parcel("ZT900000000002", "in_transit", OLD, OLD_PHONE, OTHER_PHONE),
            _parcel("ZT900000000003", "delivered", RECENT, OLD_PHONE, OTHER_PHONE),
            _complaint("CPOLD0001", "archived", OLD, OLD_PHONE, "web-old"),
            _complaint("CPOLD0002", "handling", OLD, OLD_PHONE, "web-old"),
            _complaint("CPNEW0001", "archived", RECENT, OLD_PHONE, "web-new"),
            _claim("CLOLD0001", "paid", OLD, OLD_PHONE, "web-old"),
            QuoteRequest(number="QROLD0001", origin="上海", destination="北京", weight_g=60000, contact_phone=OLD_PHONE,
                         reason="special cargo", created_at=OLD, due_at=OLD),
            Pickup(pickup_id="PUOLD0001", tracking_number="ZT900000000001", sender_name="贺俊杰",
                   sender_phone=OLD_PHONE, pickup_address="上海市浦东新区张江路123号", origin="上海", destination="北京",
                   item="书", time_window="明天上午", service_level="standard", status="scheduled",
                   conversation_id="web-old", created_at=OLD),
            _handoff("web-old", OLD_PHONE, OLD),
            CallbackRequest(conversation_id="web-old", phone=OLD_PHONE, reason="asked", team_code="general",
                            call_after=OLD, created_at=OLD),
            ConversationEvent(conversation_id="web-old", type="handed_off", at=OLD),
            ConversationEvent(conversation_id="web-new", type="handed_off", at=RECENT),
            Rating(score=2, comment=f"打{OLD_PHONE}没人接", conversation_id="web-old", created_at=OLD),
            Rating(score=5, comment="很好", conversation_id="web-new", created_at=RECENT),
            IdempotencyRecord(key="k-old", endpoint="/complaints", request_hash="h", status_code=201,
                              body='{"number": "CPOLD0001"}', created_at=OLD),
            IdempotencyRecord(key="k-new", endpoint="/complaints", request_hash="h", status_code=201,
                              body='{"number": "CPNEW0001"}', created_at=RECENT),
            VerificationToken(token="expired", tracking_number="ZT900000000001", expires_at=NOW - timedelta(hours=1)),
            VerificationToken(token="valid", tracking_number="ZT900000000001", expires_at=NOW + timedelta(minutes=20)),
            Customer(phone=OLD_PHONE, name="贺俊杰", is_vip=True, created_at=OLD),
        ])
        session.flush()
        subscription = ParcelSubscription(tracking_number="ZT900000000001", conversation_id="web-old",
                                          channel="socketio", created_at=OLD)
        session.add(subscription)
        session.flush()
        session.add(ParcelNotice(subscription_id=subscription.id, tracking_number="ZT900000000001",
                                 conversation_id="web-old", channel="socketio", status="delivered", city="北京",
                                 description="已签收", event_time=OLD, state="delivered", next_attempt_at=OLD,
                                 created_at=OLD))
        complaint = session.scalar(select(Complaint).where(Complaint.number == "CPOLD0001"))
        session.add(ComplaintStage(complaint_id=complaint.id, stage="archived", note=f"已致电 {OLD_PHONE}", at=OLD))
        handoff = session.scalar(select(Handoff).where(Handoff.conversation_id == "web-old"))
        session.add(HandoffMessage(handoff_id=handoff.id, author="customer", text=f"我住张江路123号 {OLD_PHONE}",
                                   created_at=OLD))
        claim = session.scalar(select(Claim).where(Claim.number == "CLOLD0001"))
        evidence = _evidence(store, session, claim)
        session.commit()
    _tracker_events(store, "web-old", OLD, [f"我的手机号是{OLD_PHONE}", "地址是张江路123号"])
    _tracker_events(store, "web-new", RECENT, ["查件"])
    return {"evidence": evidence, "pod_old": _pod_photo(store, "ZT900000000001"),
            "pod_new": _pod_photo(store, "ZT900000000003")}


def _run_purge(store: Store, dry_run: bool = False):  # type: ignore[no-untyped-def]
    return purge(days=180, dry_run=dry_run, session_factory=store.sessions, tracker_store_url=store.tracker_url,
                 now=NOW)


def _count(session: Session, model: type, *where) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_dry_run_counts_and_changes_nothing(store: Store) -> None:
    files = _seed_old_and_recent(store)
    report = _run_purge(store, dry_run=True)
    assert report.counts["complaints anonymised"] == 1
    assert report.counts["Rasa conversations deleted (tracker store)"] == 1
    assert report.kept["open complaints older than the retention period"] == 1
    with store.sessions() as session:
        assert _count(session, Complaint, Complaint.contact_phone == OLD_PHONE) == 3
        assert _count(session, CallbackRequest) == 1
    assert all(path.exists() for path in files.values())
    assert _tracker_senders(store) == {"web-old", "web-new"}


def test_purge_removes_old_personal_data_and_keeps_recent_and_open(store: Store) -> None:
    files = _seed_old_and_recent(store)
    report = _run_purge(store)
    assert report.files_deleted == 2
    assert not files["evidence"].exists() and not files["pod_old"].exists() and files["pod_new"].exists()
    assert _tracker_senders(store) == {"web-new"}
    with store.sessions() as session:
        old = session.scalar(select(Complaint).where(Complaint.number == "CPOLD0001"))
        assert old.contact_phone == "" and OLD_PHONE not in old.description and old.conversation_id is None
        assert old.stage == "archived"  # the ticket itself stays, for disputes and the books
        assert OLD_PHONE not in session.scalar(select(ComplaintStage.note))
        assert session.scalar(select(Complaint.contact_phone).where(Complaint.number == "CPOLD0002")) == OLD_PHONE
        assert session.scalar(select(Complaint.contact_phone).where(Complaint.number == "CPNEW0001")) == OLD_PHONE
        claim = session.scalar(select(Claim))
        assert claim.contact_phone == "" and "张江路" not in claim.description
        assert _count(session, ClaimEvidence) == 0
        delivered = session.scalar(select(Parcel).where(Parcel.tracking_number == "ZT900000000001"))
        assert (delivered.sender_phone, delivered.receiver_phone, delivered.sender_address) == ("", "", "")
        assert delivered.pod_photo_url is None and delivered.signed_by is None
        moving = session.scalar(select(Parcel).where(Parcel.tracking_number == "ZT900000000002"))
        assert moving.sender_phone == OLD_PHONE  # still on its way: needed to deliver it
        assert session.scalar(select(QuoteRequest.contact_phone)) is None
        pickup = session.scalar(select(Pickup))
        assert pickup.sender_phone == "" and pickup.pickup_address == "" and pickup.conversation_id is None
        handoff = session.scalar(select(Handoff))
        assert handoff.customer_phone is None and OLD_PHONE not in handoff.transcript_json + handoff.slots_json
        assert handoff.conversation_id.startswith("erased:")
        assert session.scalar(select(HandoffMessage.text)) == ""
        assert _count(session, CallbackRequest) == 0
        assert _count(session, ParcelSubscription) == 0 and _count(session, ParcelNotice) == 0
        assert set(session.scalars(select(IdempotencyRecord.key))) == {"k-new"}
        assert set(session.scalars(select(VerificationToken.token))) == {"valid"}
        # One conversation's rows keep one (unlinkable) id, so the reports still count it once.
        assert set(session.scalars(select(ConversationEvent.conversation_id))) == {"web-new", handoff.conversation_id}
        ratings = {score: (comment, chat) for score, comment, chat in session.execute(
            select(Rating.score, Rating.comment, Rating.conversation_id))}
        assert ratings == {2: (None, None), 5: ("很好", "web-new")}
        assert _count(session, Customer) == 1  # accounts are erased on request, not by age
    again = _run_purge(store)
    assert again.total == 0, again.lines()


def test_purge_with_zero_days_keeps_everything(store: Store) -> None:
    _seed_old_and_recent(store)
    report = purge(days=0, session_factory=store.sessions, tracker_store_url=store.tracker_url, now=NOW)
    assert report.total == 0
    assert _tracker_senders(store) == {"web-old", "web-new"}


def _seed_customer_to_erase(store: Store) -> Path:
    with store.sessions() as session:
        session.add_all([
            Customer(phone=ERASED_PHONE, name="王芳", is_vip=False, created_at=RECENT),
            Customer(phone=OTHER_PHONE, name="赵磊", is_vip=False, created_at=RECENT),
            _parcel("ZT900000000011", "delivered", RECENT, OTHER_PHONE, ERASED_PHONE, "/pod/ZT900000000011.jpg"),
            _parcel("ZT900000000012", "in_transit", RECENT, ERASED_PHONE, OTHER_PHONE),
            _complaint("CPERASE01", "feedback_given", RECENT, ERASED_PHONE, "web-erase-1"),
            _complaint("CPOTHER01", "archived", RECENT, OTHER_PHONE, "web-other"),
            _claim("CLERASE01", "under_review", RECENT, ERASED_PHONE, "web-erase-2"),
            _handoff("web-erase-3", ERASED_PHONE, RECENT),
            CallbackRequest(conversation_id="web-erase-3", phone=ERASED_PHONE, reason="asked", team_code="general",
                            call_after=RECENT, created_at=RECENT),
            Rating(score=1, comment="太慢了", conversation_id="web-erase-1", created_at=RECENT),
            IdempotencyRecord(key="k-erase", endpoint="/complaints", request_hash="h", status_code=201,
                              body='{"number": "CPERASE01"}', created_at=RECENT),
        ])
        session.commit()
    for sender in ("web-erase-1", "web-erase-2", "web-erase-3", "web-other"):
        _tracker_events(store, sender, RECENT, [f"手机{ERASED_PHONE}" if sender != "web-other" else "查件"])
    return _pod_photo(store, "ZT900000000011")


def test_erase_by_phone_removes_the_customer_everywhere(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    photo = _seed_customer_to_erase(store)
    dry = erase(phone="+86 139-9876-5432", dry_run=True, session_factory=store.sessions,
                tracker_store_url=store.tracker_url)
    assert dry.counts["customer accounts deleted"] == 1 and photo.exists()
    report = erase(phone="139 9876 5432", session_factory=store.sessions, tracker_store_url=store.tracker_url)
    summary = "\n".join(report.lines())
    assert ERASED_PHONE not in summary and "139****5432" in summary
    assert not photo.exists()
    assert _tracker_senders(store) == {"web-other"}
    with store.sessions() as session:
        assert set(session.scalars(select(Customer.phone))) == {OTHER_PHONE}
        erased = session.scalar(select(Complaint).where(Complaint.number == "CPERASE01"))
        assert erased.contact_phone == "" and ERASED_PHONE not in erased.description
        assert session.scalar(select(Complaint.contact_phone).where(Complaint.number == "CPOTHER01")) == OTHER_PHONE
        assert session.scalar(select(Claim.contact_phone)) == ERASED_PHONE  # under review: kept, and reported
        assert report.kept["open claims (erase again once closed)"] == 1
        assert report.kept["parcels still on their way (erase again once delivered)"] == 1
        delivered = session.scalar(select(Parcel).where(Parcel.tracking_number == "ZT900000000011"))
        assert delivered.receiver_phone == "" and delivered.sender_phone == OTHER_PHONE
        assert session.scalar(select(Handoff.customer_phone)) is None
        assert _count(session, CallbackRequest) == 0
        assert session.scalar(select(Rating.comment)) is None
        assert _count(session, IdempotencyRecord) == 0
    assert erase(phone=ERASED_PHONE, session_factory=store.sessions,
                 tracker_store_url=store.tracker_url).total == 0


def test_erase_by_conversation_touches_only_that_conversation(store: Store) -> None:
    _seed_customer_to_erase(store)
    report = erase(conversation="web-erase-1", session_factory=store.sessions, tracker_store_url=store.tracker_url)
    assert report.counts["complaints anonymised"] == 1
    assert _tracker_senders(store) == {"web-erase-2", "web-erase-3", "web-other"}
    with store.sessions() as session:
        assert _count(session, Customer) == 2
        assert session.scalar(select(Handoff.customer_phone)) == ERASED_PHONE


def _held_chat_photo(store: Store, session_id: str, hours_old: float) -> Path:
    folder = store.var_dir / "chat-uploads" / session_id
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 16)
    then = time.time() - hours_old * 3600
    os.utime(path, (then, then))
    return path


def test_purge_and_erasure_delete_web_chat_photos_no_claim_took(store: Store) -> None:
    """Held photos go after CHAT_UPLOAD_KEEP_HOURS (24) at every purge, and with their conversation's erasure."""
    old, recent = _held_chat_photo(store, "web-photo-1", 30), _held_chat_photo(store, "web-photo-1", 1)
    other = _held_chat_photo(store, "web-photo-2", 1)
    label = "web chat photos held past CHAT_UPLOAD_KEEP_HOURS deleted"
    assert _run_purge(store, dry_run=True).counts[label] == 1 and old.exists()
    report = _run_purge(store)
    assert report.counts[label] == 1 and report.files_deleted >= 1
    assert not old.exists() and recent.exists() and other.exists()
    erased = erase(conversation="web-photo-1", session_factory=store.sessions, tracker_store_url=store.tracker_url)
    assert erased.counts["web chat photos held for the conversations deleted"] == 1
    assert not recent.exists() and not recent.parent.exists() and other.exists()


def test_cli_help_and_dry_run(tmp_path: Path) -> None:
    env = {**os.environ, "COURIER_VAR_DIR": str(tmp_path), "DATABASE_URL": "", "TRACKER_STORE_URL": ""}
    for args in ([], ["purge"], ["erase"]):
        shown = subprocess.run([sys.executable, "-m", "bot.retention", *args, "--help"], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=120)
        assert shown.returncode == 0 and "usage: python -m bot.retention" in shown.stdout
    dry = subprocess.run([sys.executable, "-m", "bot.retention", "erase", "--phone", "13812345678", "--dry-run"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert dry.returncode == 0, dry.stderr
    assert "138****5678" in dry.stdout and "13812345678" not in dry.stdout + dry.stderr


def test_the_backend_purges_by_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`python -m bot.backend` runs the purge in the background (RETENTION_PURGE_INTERVAL_S)."""
    from tests.bot.backend.conftest import start_backend, stop_backend

    monkeypatch.setenv("COURIER_VAR_DIR", str(tmp_path))
    get_settings.cache_clear()
    engine = create_engine(f"sqlite:///{tmp_path / 'courier.db'}", future=True)
    try:
        run_migrations(engine)
        sessions = sessionmaker(bind=engine, future=True)
        long_ago = datetime.utcnow() - timedelta(days=400)
        with sessions() as session:
            session.add_all([
                CallbackRequest(conversation_id="web-ancient", phone=OLD_PHONE, reason="asked", team_code="general",
                                call_after=long_ago, created_at=long_ago),
                _complaint("CPANCIENT1", "archived", long_ago, OLD_PHONE, "web-ancient")])
            session.commit()
        backend = start_backend(tmp_path, "", extra_env={"RETENTION_PURGE_INTERVAL_S": "1", "TRACKER_STORE_URL": ""})
        try:
            deadline = datetime.utcnow() + timedelta(seconds=30)
            while datetime.utcnow() < deadline:
                with sessions() as session:
                    if _count(session, CallbackRequest) == 0 and _count(
                            session, Complaint, Complaint.contact_phone == OLD_PHONE) == 0:
                        break
                time.sleep(0.5)
            with sessions() as session:
                assert _count(session, CallbackRequest) == 0
                assert session.scalar(select(Complaint.contact_phone).where(Complaint.number == "CPANCIENT1")) == ""
        finally:
            stop_backend(backend)
        assert OLD_PHONE not in backend.log_text()
    finally:
        engine.dispose()
        get_settings.cache_clear()
