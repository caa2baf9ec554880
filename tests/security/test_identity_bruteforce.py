"""Identity proofs cannot be brute-forced by changing chat (issue 13, finding 3).

Over HTTP against two real backend processes sharing one database (as several workers or instances do), on
SQLite and on PostgreSQL. The backend never hears of conversations: whoever asks, from whichever chat, every
wrong answer counts against the parcel (last 4 digits of its phones) or the phone (last 4 digits of a tracking
number on its tickets). A small limit here (3 wrong answers) so the lock is reached quickly; the default is 5.
The lockout's end is checked in-process with a fixed clock (last tests).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
import requests
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from bot.backend.models import Base
from bot.backend.services import failure_counter
from bot.backend.services.failure_counter import Limit, Locked
from tests.bot.backend.conftest import (
    Backend,
    _create_pg_database,
    _drop_pg_database,
    start_backend,
    stop_backend,
)
from tests.support import require_service

pytestmark = pytest.mark.security

MAX_FAILURES = 3
LOCKOUT_MINUTES = 30
ENV = {"VERIFICATION_MAX_FAILURES": str(MAX_FAILURES), "VERIFICATION_LOCKOUT_MINUTES": str(LOCKOUT_MINUTES),
       "VERIFICATION_WINDOW_MINUTES": "1440",
       # The production profile (PostgreSQL) refuses demo secrets: these workers get their own.
       "POD_LINK_SECRET": secrets.token_hex(16), "CONSOLE_DEMO_PASSWORD": secrets.token_hex(8),
       "RASA_API_TOKEN": secrets.token_hex(16), "CHAT_SESSION_SECRET": secrets.token_hex(16),
       "BACKEND_SEED_ON_START": "1"}
# Demo parcels and the last 4 digits of their sender's phone (bot/backend/seed.py).
RIGHT = {"ZT100000000001": "5678", "ZT100000000002": "1234", "ZT100000000003": "2222",
         "ZT100000000004": "4444", "ZT100000000005": "6666", "ZT100000000006": "8888"}


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def workers(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Backend]]:
    pg_name = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('proofs-db') / 'shared.db'}"
    else:
        require_service("PostgreSQL", "127.0.0.1", 5432)
        pg_name, url = _create_pg_database()
    running: list[Backend] = []
    try:
        for name in ("worker-a", "worker-b"):  # one after the other: the first one migrates and seeds
            running.append(start_backend(tmp_path_factory.mktemp(name), url, ENV))
        yield running
    finally:
        for backend in running:
            stop_backend(backend)
        if pg_name:
            _drop_pg_database(pg_name)


def verify(backend: Backend, number: str, digits: str) -> requests.Response:
    return backend.post(f"/parcels/{number}/verify", json={"phone_last4": digits})


def detail(response: requests.Response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.text[:300])
    return response.json()["detail"]


def assert_locked(response: requests.Response) -> dict:
    body = detail(response, 429)
    assert body["code"] == "verification_locked"
    assert isinstance(body["retry_after_s"], int) and 0 < body["retry_after_s"] <= LOCKOUT_MINUTES * 60
    assert "为了您的信息安全" in body["message"] and f"{LOCKOUT_MINUTES} 分钟后再试" in body["message"]
    assert response.headers["Retry-After"] == str(body["retry_after_s"])  # for any HTTP client
    return body


def test_wrong_digits_from_anywhere_lock_the_parcel_on_every_worker(workers: list[Backend]) -> None:
    number = "ZT100000000001"
    for attempt, wrong in enumerate(("0000", "1111", "2222")):
        failed = detail(verify(workers[attempt % 2], number, wrong), 403)
        assert failed["code"] == "verification_failed"
        assert failed["attempts_left"] == MAX_FAILURES - attempt - 1
    assert failed["retry_after_s"] == LOCKOUT_MINUTES * 60  # the third one used the last try
    # Locked now, on both workers, and the right digits get exactly the same answer as wrong ones: no oracle.
    right = assert_locked(verify(workers[0], number, RIGHT[number]))
    wrong = assert_locked(verify(workers[1], number, "9999"))
    assert (right["code"], right["message"]) == (wrong["code"], wrong["message"])
    assert abs(right["retry_after_s"] - wrong["retry_after_s"]) <= 2
    assert "token" not in str(right)
    # An agent who checked the caller another way lifts the lock; the right digits then pass.
    lifted = workers[1].http.delete(workers[1].url(f"/parcels/{number}/verification-lock"), timeout=15)
    assert lifted.status_code == 200 and lifted.json() == {"tracking_number": number, "locked": False}
    assert verify(workers[0], number, RIGHT[number]).status_code == 200


def test_a_wrong_answer_says_nothing_about_which_digits_were_close(workers: list[Backend]) -> None:
    number = "ZT100000000002"  # sender ends 1234, receiver 8888
    close = detail(verify(workers[0], number, "1235"), 403)
    far = detail(verify(workers[1], number, "9070"), 403)
    assert close["message"] == far["message"] and set(close) == set(far) == {"code", "message", "attempts_left"}
    assert verify(workers[0], number, RIGHT[number]).status_code == 200


def test_the_right_digits_clear_the_count(workers: list[Backend]) -> None:
    number = "ZT100000000003"
    for wrong in ("0000", "0001"):
        detail(verify(workers[0], number, wrong), 403)
    assert verify(workers[1], number, RIGHT[number]).status_code == 200
    assert detail(verify(workers[0], number, "0002"), 403)["attempts_left"] == MAX_FAILURES - 1


def test_parallel_wrong_guesses_cannot_get_past_the_limit(workers: list[Backend]) -> None:
    number = "ZT100000000004"
    guesses = [f"{n:04d}" for n in range(9000, 9016)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(pool.map(lambda pair: verify(workers[pair[0] % 2], number, pair[1]), enumerate(guesses)))
    statuses = sorted(reply.status_code for reply in replies)
    assert statuses.count(403) == MAX_FAILURES and statuses.count(429) == len(guesses) - MAX_FAILURES, statuses
    assert_locked(verify(workers[0], number, RIGHT[number]))


def _ticket_phone(backend: Backend) -> str:
    phone = f"135{uuid.uuid4().int % 10**8:08d}"
    for kind, body in (("complaints", {"category": "delay", "description": "一直没送到", "contact_phone": phone,
                                       "tracking_number": "ZT100000000005"}),
                       ("claims", {"tracking_number": "ZT100000000005", "claim_type": "delay",
                                   "description": "延误了", "contact_phone": phone})):
        created = backend.post(f"/{kind}", json=body)
        assert created.status_code == 201, created.text
    return phone


def test_ticket_look_ups_by_phone_are_locked_per_phone_across_complaints_and_claims(workers: list[Backend]) -> None:
    phone = _ticket_phone(workers[0])
    first = workers[0].get("/complaints", params={"phone": phone, "tracking_last4": "0001"}).json()
    assert first == {"items": [], "attempts_left": MAX_FAILURES - 1}
    assert workers[1].get("/claims", params={"phone": phone, "tracking_last4": "0002"}).json()["attempts_left"] == 1
    last = workers[0].get("/complaints", params={"phone": phone, "tracking_last4": "0003"}).json()
    assert last["items"] == [] and last["attempts_left"] == 0 and last["retry_after_s"] == LOCKOUT_MINUTES * 60
    # Locked for both kinds of ticket, whatever the digits, and the same spelled differently is the same phone.
    spaced = f"{phone[:3]} {phone[3:7]} {phone[7:]}"
    for kind, digits, who in (("complaints", "0005", phone), ("claims", "0005", spaced), ("claims", "1234", phone)):
        body = detail(workers[1].get(f"/{kind}", params={"phone": who, "tracking_last4": digits}), 429)
        assert body["code"] == "verification_locked" and "手机号" in body["message"] and "0005" not in str(body)
    # Agents' listing (no proof asked of them) and the count are not proofs and stay open.
    assert len(workers[0].get("/complaints", params={"phone": phone}).json()["items"]) == 1
    assert workers[0].get("/claims/count", params={"phone": phone}).json()["total"] == 1


def test_the_right_ticket_proof_is_found_and_clears_the_phone(workers: list[Backend]) -> None:
    phone = _ticket_phone(workers[0])
    workers[0].get("/complaints", params={"phone": phone, "tracking_last4": "0001"})
    found = workers[1].get("/complaints", params={"phone": phone, "tracking_last4": "0005"}).json()
    assert len(found["items"]) == 1 and "attempts_left" not in found
    again = workers[0].get("/claims", params={"phone": phone, "tracking_last4": "0009"}).json()
    assert again["attempts_left"] == MAX_FAILURES - 1


# ---- the lockout's end, with a fixed clock --------------------------------------------------------------

LIMIT = Limit(max_failures=3, window=timedelta(hours=24), lockout=timedelta(minutes=30))
T0 = datetime(2026, 12, 6, 8, 0, 0)


@pytest.fixture
def session(tmp_path) -> Iterator[Session]:
    engine = create_engine(f"sqlite:///{tmp_path / 'counter.db'}", future=True)
    Base.metadata.create_all(engine)
    with Session(engine) as opened:
        yield opened
    engine.dispose()


def count(session: Session, at: datetime, subject: str = "ZT100000000001") -> int:
    return failure_counter.count_attempt(session, "parcel", subject, LIMIT, now=at).left


def test_the_lock_ends_after_the_lockout_and_each_further_wrong_answer_relocks(session: Session) -> None:
    assert [count(session, T0 + timedelta(seconds=s)) for s in (0, 10, 20)] == [2, 1, 0]
    with pytest.raises(Locked) as locked:
        count(session, T0 + timedelta(minutes=29, seconds=50))
    assert locked.value.retry_after_s == 30
    # Another parcel is untouched.
    assert count(session, T0 + timedelta(minutes=1), "ZT100000000002") == 2
    # Over: one more try, which (wrong) locks again at once: a guesser gets one try per lockout, not three.
    assert count(session, T0 + timedelta(minutes=30, seconds=21)) == 0
    with pytest.raises(Locked):
        count(session, T0 + timedelta(minutes=31))
    # A new window starts afresh.
    assert count(session, T0 + timedelta(hours=25)) == 2


def test_a_right_answer_clears_the_count_even_at_the_limit(session: Session) -> None:
    for seconds in (0, 1, 2):
        count(session, T0 + timedelta(seconds=seconds))
    failure_counter.clear(session, "parcel", "ZT100000000001", LIMIT, now=T0 + timedelta(seconds=3))
    assert count(session, T0 + timedelta(seconds=4)) == 2
