"""A ticket number alone reveals nothing personal, and numbers cannot be enumerated (issue 13, finding 4).

In-process backend app on a fresh SQLite file per test, with small limits so they are reached quickly and a
clock the test moves. Per-conversation limits, the per-ticket lock and the number format are also tested over
HTTP in tests/bot/backend/test_complaints.py and test_claims.py, and end to end in
tests/e2e/test_security_ticket_enumeration.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from actions import ticket_text as tt
from bot.backend import db
from bot.backend.clock import utcnow
from bot.backend.services import failure_counter, ticket_guard
from bot.nlu.entity_rules import extract_rule_entities as extract_entities
from bot.settings import get_settings
from bot.vocabulary.ticket_numbers import check_digit, new_number, parse

pytestmark = pytest.mark.security

KEY = "ticket-guard-test-key"
WINDOW_S = 600
LIMITS = {"TICKET_LOOKUP_WINDOW_S": str(WINDOW_S), "TICKET_LOOKUPS_PER_CONVERSATION": "3",
          "TICKET_LOOKUPS_PER_CALLER": "8", "TICKET_LOOKUP_MISSES_GLOBAL": "5"}


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


class Api:
    def __init__(self, client: TestClient, clock: Clock) -> None:
        self.client, self.clock = client, clock

    def file(self, phone: str = "13755550123", chat: str | None = None) -> str:
        body = {"category": "damage", "description": "箱子压坏了", "contact_phone": phone,
                **({"conversation_id": chat} if chat else {})}
        response = self.client.post("/api/v1/complaints", json=body, headers={"X-API-Key": KEY})
        assert response.status_code == 201, response.text
        return response.json()["number"]

    def look_up(self, number: str, chat: str | None = None, address: str = "10.0.0.1"):
        headers = {"X-API-Key": KEY, "X-Forwarded-For": address, **({"X-Conversation-Id": chat} if chat else {})}
        return self.client.get(f"/api/v1/complaints/{number}", headers=headers)


def _reset_caches() -> None:
    get_settings.cache_clear()
    db.get_engine.cache_clear()
    db._session_factory.cache_clear()


@pytest.fixture
def api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    env = {"COURIER_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'tickets.db'}",
           "BACKEND_API_KEY": KEY, "PARCEL_NOTICES_ENABLED": "0", **LIMITS}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    _reset_caches()
    db.run_migrations()
    clock = Clock()
    monkeypatch.setattr(failure_counter, "utcnow", clock)
    monkeypatch.setattr(ticket_guard, "utcnow", clock)
    from bot.web_app import create_app

    client = TestClient(ProxyHeadersMiddleware(create_app(), trusted_hosts="*"))
    try:
        yield Api(client, clock)
    finally:
        client.close()
        db.get_engine().dispose()
        monkeypatch.undo()
        _reset_caches()


def _unknown() -> str:
    return new_number("CP")  # 7 × 10^10 numbers: a fresh draw is not one of a test's few tickets


def _chat() -> str:
    return f"guess-{uuid.uuid4().hex[:8]}"


def assert_too_many(response) -> int:
    assert response.status_code == 429, response.text
    detail = response.json()["detail"]
    assert detail["code"] == "too_many_lookups" and "分钟后再试" in detail["message"]
    assert 0 < detail["retry_after_s"] <= WINDOW_S
    assert response.headers["Retry-After"] == str(detail["retry_after_s"])
    return detail["retry_after_s"]


def test_a_global_budget_of_misses_stops_guessing_over_many_chats(api: Api) -> None:
    real = api.file()
    for _ in range(5):  # every guess from a fresh chat: the per-conversation limit never bites
        assert api.look_up(_unknown(), _chat()).status_code == 404
    # The budget is spent: every stranger's look-up is refused the same way, existing number or not.
    refused = [api.look_up(number, _chat()) for number in (real, _unknown())]
    for response in refused:
        assert_too_many(response)
    assert refused[0].json()["detail"]["message"] == refused[1].json()["detail"]["message"]
    # The chat that filed a ticket still sees it.
    own_chat = _chat()
    own = api.file(chat=own_chat)
    assert api.look_up(own, own_chat).json()["details"] is True
    # After the window, look-ups are answered again.
    api.clock.now += timedelta(seconds=WINDOW_S + 1)
    assert api.look_up(real, _chat()).json()["stage"] == "registered"


def test_one_api_caller_has_its_own_budget(api: Api) -> None:
    real = api.file()
    for _ in range(8):
        assert api.look_up(real, _chat(), address="10.0.0.7").status_code == 200
    assert_too_many(api.look_up(real, _chat(), address="10.0.0.7"))
    assert api.look_up(real, _chat(), address="10.0.0.8").status_code == 200


def test_the_conversation_limit_ends_with_its_window(api: Api) -> None:
    real, chat = api.file(), _chat()
    for _ in range(3):
        assert api.look_up(real, chat).status_code == 200
    wait = assert_too_many(api.look_up(real, chat))
    api.clock.now += timedelta(seconds=wait - 5)
    assert_too_many(api.look_up(real, chat))
    api.clock.now += timedelta(seconds=6)
    assert api.look_up(real, chat).status_code == 200


def test_parallel_look_ups_from_one_chat_cannot_get_past_the_limit(api: Api) -> None:
    real, chat = api.file(), _chat()
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = sorted(pool.map(lambda _: api.look_up(real, chat).status_code, range(10)))
    assert statuses == [200] * 3 + [429] * 7, statuses


def test_summary_keys_are_all_a_stranger_gets_even_with_the_filing_phone_known(api: Api) -> None:
    number = api.file(phone="13755559876", chat=_chat())
    body = api.look_up(number, _chat()).json()
    assert set(body) == {"number", "kind", "stage", "stage_text", "details", "proof"}
    assert "9876" not in str(body) and "压坏" not in str(body)


# ---- the number format, everywhere a number is recognised ------------------------------------------------

def test_new_numbers_carry_a_check_digit_and_every_reader_accepts_them() -> None:
    drawn = {new_number("CL") for _ in range(2000)}
    assert len(drawn) == 2000
    assert {number[2] for number in drawn} <= set("3456789")
    for number in list(drawn)[:50]:
        assert parse("CL", number) == number and parse("CP", number) is None
        assert parse("CL", number[:-1] + str((int(number[-1]) + 3) % 10)) is None  # one wrong digit
        swapped = number[:5] + number[6] + number[5] + number[7:]
        if swapped != number and number[5] not in "09" and number[6] not in "09":
            assert parse("CL", swapped) is None  # two neighbours swapped
    assert parse("CP", "CP20261123001") == "CP20261123001"  # old dated numbers
    assert check_digit("7992739871") == "3"  # the Luhn reference example


@pytest.mark.parametrize("text, entity", [
    ("投诉单CP583920174468处理到哪了", "complaint_id"),
    ("理赔单号 cl731055281901", "claim_id"),
    ("CP20261123001", "complaint_id"),
])
def test_the_nlu_rules_and_the_actions_read_new_and_old_numbers(text: str, entity: str) -> None:
    found = [item for item in extract_entities(text) if item.entity in ("complaint_id", "claim_id")]
    assert [(item.entity, item.value) for item in found] == [(entity, found[0].value.upper())]
    assert not [item for item in extract_entities(text) if item.entity == "tracking_number"]
    pattern = tt.COMPLAINT_NO_RE if entity == "complaint_id" else tt.CLAIM_NO_RE
    assert pattern.search(text).group(0).upper() == found[0].value
