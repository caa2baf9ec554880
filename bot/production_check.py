"""The production profile refuses to start with the repository's demo secrets.

The embedded default may run with them (loopback, demo data). Once any production store is configured, the
assistant is meant for real customers, and a secret anyone can read in this repository would let them call the
backend, forge sign-off photo links, log into the agent console or drive Rasa's HTTP API. Every process that
holds one of these secrets checks before it starts: the backend, Rasa, and the runner / stack before it starts
anything. The message names the variables to set, never their values.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from bot.settings import DEMO_BACKEND_API_KEY, DEMO_CONSOLE_PASSWORD

PRODUCTION_VARIABLES = ("DATABASE_URL", "TRACKER_STORE_URL", "REDIS_URL", "RABBITMQ_URL")
# Shorter keys are guessable or placeholders (a generated one, `openssl rand -hex 32`, is far longer); the
# console password follows the console's own rule for agents' passwords (bot/console/agents.py).
KEY_MIN_LENGTH = 16
PASSWORD_MIN_LENGTH = 8


@dataclass(frozen=True)
class Secret:
    variable: str
    demo_value: str  # what the embedded profile uses when the variable is not set ("" = nothing)
    why: str
    min_length: int = KEY_MIN_LENGTH


SECRETS = (
    Secret("BACKEND_API_KEY", DEMO_BACKEND_API_KEY, "the key the action server and channels send to the backend"),
    Secret("POD_LINK_SECRET", "", "the key that signs sign-off photo links (every backend process must share it)"),
    Secret("CONSOLE_DEMO_PASSWORD", DEMO_CONSOLE_PASSWORD, "the password of the agent console's `agent` account",
           PASSWORD_MIN_LENGTH),
    Secret("RASA_API_TOKEN", "", "the token of Rasa's HTTP API, used by the console and the backend"),
    Secret("CHAT_SESSION_SECRET", "", "the key that signs web chat sessions (every Rasa instance and web process "
           "must share it)"),
)
ALL = tuple(secret.variable for secret in SECRETS)
# What the web process (backend, console, chat page) holds: every one, the chat sessions' key included (the photo
# upload route checks a session's token as the socket.io channel does).
WEB_PROCESS_HELD = ALL


class DemoSecretsRefused(RuntimeError):
    """The production profile is chosen and a secret is missing or still the demo one."""


def production_variables(env: Mapping[str, str]) -> list[str]:
    """The production-profile variables that are set (none: the embedded default)."""
    return [name for name in PRODUCTION_VARIABLES if env.get(name, "").strip()]


def weak_secrets(env: Mapping[str, str], held: Collection[str] = ALL) -> list[Secret]:
    """The held secrets that are unset, a demo value or too short to be a real secret."""
    weak = []
    for secret in SECRETS:
        if secret.variable not in held:
            continue
        value = env.get(secret.variable, secret.demo_value).strip()
        if value in (secret.demo_value, DEMO_BACKEND_API_KEY, DEMO_CONSOLE_PASSWORD) or len(value) < secret.min_length:
            weak.append(secret)
    return weak


def refuse_demo_secrets(env: Mapping[str, str], held: Collection[str] = ALL) -> None:
    """Raise DemoSecretsRefused, naming what to set, when production runs with any held secret weak."""
    chosen = production_variables(env)
    if not chosen:
        return
    weak = weak_secrets(env, held)
    if not weak:
        return
    lines = [f"  {secret.variable} (at least {secret.min_length} characters): {secret.why}" for secret in weak]
    raise DemoSecretsRefused(
        f"The production profile is chosen ({', '.join(chosen)} set), but these secrets are unset, too short or the "
        f"public demo values. Set each to a random secret (e.g. `openssl rand -hex 32`) and start "
        "again:\n" + "\n".join(lines))
