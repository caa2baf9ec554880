"""Issue 13, finding 9: the production profile refuses to start with the repository's demo secrets.

Every process that holds one refuses, naming the variable to set and never printing a secret: the backend, Rasa,
and the stack (`make run`) before it starts anything.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot import rasa_server
from bot.production_check import ALL, WEB_PROCESS_HELD, DemoSecretsRefused, refuse_demo_secrets, weak_secrets
from bot.runner import banner
from bot.settings import DEMO_BACKEND_API_KEY, DEMO_CONSOLE_PASSWORD, ROOT, get_settings
from bot.stack import Ports, Stack, StackError

pytestmark = pytest.mark.security

STRONG = {"BACKEND_API_KEY": "k" * 32, "POD_LINK_SECRET": "p" * 32, "CONSOLE_DEMO_PASSWORD": "a-real-pass-2026",
          "RASA_API_TOKEN": "t" * 32, "CHAT_SESSION_SECRET": "c" * 32}
PROFILE_VARIABLES = ("DATABASE_URL", "TRACKER_STORE_URL", "REDIS_URL", "RABBITMQ_URL")


@pytest.fixture(autouse=True)
def _fresh_settings():
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without any secret or production variable, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in (*ALL, *PROFILE_VARIABLES)}
    return {**env, **extra}


def test_the_embedded_default_starts_with_demo_secrets() -> None:
    refuse_demo_secrets({})


@pytest.mark.parametrize("variable", PROFILE_VARIABLES)
def test_any_production_variable_refuses_every_demo_secret(variable: str) -> None:
    with pytest.raises(DemoSecretsRefused) as refused:
        refuse_demo_secrets({variable: "postgresql://db/courier"})
    message = str(refused.value)
    assert variable in message
    for name in ALL:
        assert name in message
    assert DEMO_BACKEND_API_KEY not in message and DEMO_CONSOLE_PASSWORD not in message


@pytest.mark.parametrize("variable", ALL)
def test_each_weak_secret_is_named_alone(variable: str) -> None:
    for weak in ("", "short", DEMO_BACKEND_API_KEY, DEMO_CONSOLE_PASSWORD):
        env = {"REDIS_URL": "redis://x", **STRONG, variable: weak}
        with pytest.raises(DemoSecretsRefused) as refused:
            refuse_demo_secrets(env)
        named = [name for name in ALL if name in str(refused.value)]
        assert named == [variable]
        assert weak == "" or weak not in str(refused.value).split(":\n", 1)[1]


def test_real_secrets_start() -> None:
    refuse_demo_secrets({"DATABASE_URL": "postgresql://db/courier", **STRONG})
    assert weak_secrets(STRONG) == []


def test_a_process_checks_only_the_secrets_it_holds() -> None:
    env = {"REDIS_URL": "redis://x", "RASA_API_TOKEN": "t" * 32, "BACKEND_API_KEY": "k" * 32}
    refuse_demo_secrets(env, held=("RASA_API_TOKEN", "BACKEND_API_KEY"))
    with pytest.raises(DemoSecretsRefused, match="POD_LINK_SECRET"):
        refuse_demo_secrets(env)


def test_the_backend_refuses_before_touching_the_database(tmp_path: Path) -> None:
    database = tmp_path / "courier.db"
    env = _clean_env(DATABASE_URL=f"sqlite:///{database}", COURIER_VAR_DIR=str(tmp_path), BACKEND_PORT="9")
    result = subprocess.run([sys.executable, "-m", "bot.backend"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 1
    assert "The backend did not start" in result.stderr and "DATABASE_URL set" in result.stderr
    for name in WEB_PROCESS_HELD:
        assert name in result.stderr
    assert "CHAT_SESSION_SECRET" in result.stderr  # the photo upload route checks chat session tokens too
    assert DEMO_CONSOLE_PASSWORD not in result.stderr + result.stdout
    assert not database.exists()


def test_rasa_refuses_the_secrets_it_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*ALL, *PROFILE_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TRACKER_STORE_URL", "postgresql://db/rasa")
    monkeypatch.setattr(sys, "argv", ["bot.rasa_server", "run", "--enable-api"])
    with pytest.raises(SystemExit) as refused:
        rasa_server.main()
    assert "Rasa did not start" in str(refused.value)
    assert all(name in str(refused.value) for name in ("RASA_API_TOKEN", "BACKEND_API_KEY", "CHAT_SESSION_SECRET"))


def test_the_stack_refuses_before_starting_anything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*ALL, *PROFILE_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    model = tmp_path / "model.tar.gz"
    model.write_bytes(b"only its existence is checked")
    stack = Stack()
    with pytest.raises(StackError, match="RABBITMQ_URL set") as refused:
        stack.start(Ports.free(), env={"RABBITMQ_URL": "amqp://guest:guest@127.0.0.1:5672/"}, model=model,
                    var_dir=tmp_path)
    assert "CONSOLE_DEMO_PASSWORD" in str(refused.value)
    assert stack.services == [] and not (tmp_path / "logs").exists()


def test_the_runner_says_why_and_exits_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    from bot.runner import run
    from bot.settings import Settings

    for name in (*ALL, *PROFILE_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    free = Ports.free()
    for name, port in (("BACKEND_PORT", free.backend), ("RASA_PORT", free.rasa), ("ACTION_PORT", free.actions)):
        monkeypatch.setenv(name, str(port))
    monkeypatch.setenv("COURIER_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    model = tmp_path / "model.tar.gz"
    model.write_bytes(b"only its existence is checked")
    assert run(Settings(), model) == 1
    err = capsys.readouterr().err
    assert "Could not start" in err and "BACKEND_API_KEY" in err


def test_the_banner_shows_no_token_and_no_chosen_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSOLE_DEMO_PASSWORD", "chosen-password-99")
    stack = Stack(ports=Ports(), var_dir=tmp_path, rasa_api_token="secret-token-abcdefghijklmnop")
    text = banner(stack, tmp_path / "model.tar.gz")
    assert "secret-token-abcdefghijklmnop" not in text
    assert "chosen-password-99" not in text
    assert "CONSOLE_DEMO_PASSWORD" in text


def test_the_banner_shows_the_public_demo_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONSOLE_DEMO_PASSWORD", raising=False)
    text = banner(Stack(ports=Ports(), var_dir=tmp_path), tmp_path / "model.tar.gz")
    assert f"agent / {DEMO_CONSOLE_PASSWORD}" in text
