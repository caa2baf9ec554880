"""Issue 13 finding 7: console login guesses slow down where they come from, and cannot lock an agent out.

In-process backend app with its real database code (SQLite) and a clock the test moves, so hours of backoff
take no time. The defaults of the settings are used (3 free failures per account+address, then 2 s doubling up
to 15 minutes; 10 failures per account and 30 per address before unknown addresses back off too).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.security.console_app import PASSWORD, ConsoleApp, start_console_app

pytestmark = pytest.mark.security

OFFICE, ATTACKER = "10.0.0.5", "203.0.113.9"


@pytest.fixture
def console(tmp_path, monkeypatch) -> Iterator[ConsoleApp]:
    for name in ("CONSOLE_LOGIN_FREE_FAILURES", "CONSOLE_LOGIN_MAX_FAILURES", "CONSOLE_LOGIN_MAX_FAILURES_PER_ADDRESS",
                 "CONSOLE_LOGIN_BACKOFF_S", "CONSOLE_LOGIN_MAX_BACKOFF_S", "CONSOLE_LOGIN_WINDOW_S",
                 "CONSOLE_LOGIN_KNOWN_PLACE_DAYS"):
        monkeypatch.delenv(name, raising=False)
    yield from start_console_app(tmp_path, monkeypatch, {})


def wait_asked(reply) -> int:
    """The 429's wait, checked for consistency and politeness."""
    assert reply.status_code == 429, (reply.status_code, reply.text)
    detail = reply.json()["detail"]
    retry_after = int(reply.headers["Retry-After"])
    assert detail["code"] == "too_many_attempts" and detail["retry_after_s"] == retry_after >= 1
    assert detail["message"].startswith("抱歉") and "后再试" in detail["message"]
    unit = "秒" if retry_after < 60 else "分钟"
    assert unit in detail["message"], detail["message"]
    return retry_after


def guess_until_counted(console: ConsoleApp, username: str, address: str, password: str = "wrong-guess") -> int:
    """One counted wrong guess from `address`, waiting out (on the test clock) any backoff first; the wait."""
    waited = 0
    reply = console.login(username, password, address)
    while reply.status_code == 429:
        retry_after = wait_asked(reply)
        waited += retry_after
        console.clock.advance(retry_after)
        reply = console.login(username, password, address)
    assert reply.status_code == 401, reply.text
    return waited


def test_fifty_wrong_guesses_elsewhere_do_not_keep_the_agent_out_of_their_usual_place(console) -> None:
    assert console.login("li", PASSWORD, OFFICE).status_code == 200  # yesterday, at the office
    console.clock.advance(24 * 3600)
    for _ in range(50):
        guess_until_counted(console, "li", ATTACKER)
    assert console.login("li", "still-wrong", ATTACKER).status_code == 429  # the attacker still waits
    reply = console.login("li", PASSWORD, OFFICE)
    assert reply.status_code == 200, reply.text
    assert reply.json()["username"] == "li"


def test_guesses_spread_over_many_addresses_slow_new_addresses_but_not_the_usual_place(console) -> None:
    assert console.login("li", PASSWORD, OFFICE).status_code == 200
    for n in range(10):  # the account-wide ceiling, one guess from each of ten addresses
        assert console.login("li", "wrong-guess", f"198.51.100.{n + 1}").status_code == 401
    wait_asked(console.login("li", "wrong-guess", "198.51.100.200"))
    wait_asked(console.login("li", PASSWORD, "198.51.100.201"))  # a new place waits too, however right
    assert console.login("li", PASSWORD, OFFICE).status_code == 200
    assert console.login("zhao", PASSWORD, "198.51.100.202").status_code == 200  # other accounts untouched


def test_the_backoff_of_one_account_from_one_address_doubles_up_to_its_cap(console) -> None:
    assert console.login("li", PASSWORD, OFFICE).status_code == 200
    for _ in range(3):
        assert console.login("li", "wrong-guess", ATTACKER).status_code == 401
    waits = []
    for _ in range(12):
        reply = console.login("li", "wrong-guess", ATTACKER)
        waits.append(wait_asked(reply))
        # Asking again during the wait is not counted: the wait stays what it was, even with the right password.
        assert wait_asked(console.login("li", PASSWORD, ATTACKER)) == waits[-1]
        console.clock.advance(waits[-1])
        assert console.login("li", "wrong-guess", ATTACKER).status_code == 401
    assert waits == [2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]
    assert "15 分钟" in console.login("li", PASSWORD, ATTACKER).json()["detail"]["message"]
    # Meanwhile the agent logs in at their usual place; the backed-off address starts afresh after its own login.
    assert console.login("li", PASSWORD, OFFICE).status_code == 200
    console.clock.advance(900)
    assert console.login("li", PASSWORD, ATTACKER).status_code == 200
    assert console.login("li", "typo-once", ATTACKER).status_code == 401
    assert console.login("li", PASSWORD, ATTACKER).status_code == 200


def test_a_password_spray_from_one_address_is_slowed_while_the_office_keeps_working(console) -> None:
    assert console.login("zhao", PASSWORD, OFFICE).status_code == 200  # zhao works at this address
    for n in range(30):  # one password tried on thirty accounts (the per-address budget)
        assert console.login(f"user{n}", "Spring2026!", OFFICE).status_code == 401
    waits = []
    for n in range(30, 36):
        waits.append(guess_until_counted(console, f"user{n}", OFFICE, "Spring2026!"))
    assert waits == [2, 4, 8, 16, 32, 64]  # the spray slows down more with every guess
    wait_asked(console.login("qian", PASSWORD, OFFICE))  # a first login from here waits its turn
    assert console.login("zhao", PASSWORD, OFFICE).status_code == 200  # a usual place does not
    assert console.login("qian", PASSWORD, "10.9.9.9").status_code == 200  # nor do other addresses


def test_failures_are_forgotten_after_a_quiet_hour(console) -> None:
    for _ in range(3):
        assert console.login("li", "wrong-guess", ATTACKER).status_code == 401
    wait_asked(console.login("li", "wrong-guess", ATTACKER))
    console.clock.advance(3600 + 1)
    for _ in range(3):
        assert console.login("li", "wrong-guess", ATTACKER).status_code == 401


def test_a_right_password_gives_back_its_count_and_makes_the_address_a_usual_place(console) -> None:
    for n in range(9):  # one short of the account-wide ceiling, from many addresses
        assert console.login("qian", "wrong-guess", f"192.0.2.{n + 1}").status_code == 401
    assert console.login("qian", PASSWORD, "192.0.2.100").status_code == 200  # does not push it over
    assert console.login("qian", "typo", "192.0.2.100").status_code == 401  # the tenth failure
    wait_asked(console.login("qian", PASSWORD, "192.0.2.150"))  # unknown addresses wait now
    assert console.login("qian", PASSWORD, "192.0.2.100").status_code == 200  # the new usual place does not
