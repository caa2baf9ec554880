"""The one place configuration is read: environment variables with defaults for the embedded profile.

Business numbers from DOMAIN.md (24 h complaint response, 8 h quote reply, 3 working-day payout,
¥2,000 auto-handling limit…) live here too, so nothing else hard-codes them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


def _bool(name: str, default: bool) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    # Where things run
    var_dir: Path = field(default_factory=lambda: Path(_env("COURIER_VAR_DIR", str(ROOT / "var"))))
    backend_host: str = field(default_factory=lambda: _env("BACKEND_HOST", "127.0.0.1"))
    backend_port: int = field(default_factory=lambda: _int("BACKEND_PORT", 8000))
    backend_url: str = field(default_factory=lambda: _env("BACKEND_URL", ""))
    backend_api_key: str = field(default_factory=lambda: _env("BACKEND_API_KEY", "dev-local-key"))
    rasa_port: int = field(default_factory=lambda: _int("RASA_PORT", 5005))
    rasa_url: str = field(default_factory=lambda: _env("RASA_URL", ""))
    action_port: int = field(default_factory=lambda: _int("ACTION_PORT", 5055))

    # Storage profile: empty means the embedded default (SQLite file / in-memory stores)
    database_url: str = field(default_factory=lambda: _env("DATABASE_URL", ""))
    redis_url: str = field(default_factory=lambda: _env("REDIS_URL", ""))
    tracker_store_url: str = field(default_factory=lambda: _env("TRACKER_STORE_URL", ""))
    rabbitmq_url: str = field(default_factory=lambda: _env("RABBITMQ_URL", ""))
    rabbitmq_queue: str = field(default_factory=lambda: _env("RABBITMQ_QUEUE", "rasa_events"))

    # Backend client behaviour (actions → backend)
    backend_timeout_s: float = field(default_factory=lambda: float(_env("BACKEND_TIMEOUT_S", "3")))
    backend_retries: int = field(default_factory=lambda: _int("BACKEND_RETRIES", 2))

    # Script of replies for customers writing Traditional Chinese: "tw" or "hk"
    traditional_variant: str = field(default_factory=lambda: _env("TRADITIONAL_VARIANT", "tw"))

    # WeChat Official Account channel (server config of the account; AES safe mode when the key is set)
    wechat_token: str = field(default_factory=lambda: _env("WECHAT_TOKEN", ""))
    wechat_app_id: str = field(default_factory=lambda: _env("WECHAT_APP_ID", ""))
    wechat_app_secret: str = field(default_factory=lambda: _env("WECHAT_APP_SECRET", ""))
    wechat_encoding_aes_key: str = field(default_factory=lambda: _env("WECHAT_ENCODING_AES_KEY", ""))
    # The account's message mode: "plain", "compatible" (both) or "safe" (AES only); empty = safe if a key is set
    wechat_message_mode: str = field(default_factory=lambda: _env("WECHAT_MESSAGE_MODE", ""))
    wechat_api_base: str = field(default_factory=lambda: _env("WECHAT_API_BASE", "https://api.weixin.qq.com"))
    # WeChat gives up after 5 s; a passive reply must be back before that, else the CS API delivers it
    wechat_passive_timeout_s: float = field(default_factory=lambda: float(_env("WECHAT_PASSIVE_TIMEOUT_S", "4.5")))
    wechat_dedupe_ttl_s: int = field(default_factory=lambda: _int("WECHAT_DEDUPE_TTL_S", 300))

    # Service norms (DOMAIN.md)
    complaint_response_hours: int = field(default_factory=lambda: _int("COMPLAINT_RESPONSE_HOURS", 24))
    quote_reply_hours: int = field(default_factory=lambda: _int("QUOTE_REPLY_HOURS", 8))
    claim_payout_working_days: int = field(default_factory=lambda: _int("CLAIM_PAYOUT_WORKING_DAYS", 3))
    claim_auto_limit_fen: int = field(default_factory=lambda: _int("CLAIM_AUTO_LIMIT_FEN", 200_000))
    uninsured_cap_freight_multiple: int = field(default_factory=lambda: _int("UNINSURED_CAP_MULTIPLE", 3))
    special_cargo_kg: int = field(default_factory=lambda: _int("SPECIAL_CARGO_KG", 50))
    verification_max_tries: int = field(default_factory=lambda: _int("VERIFICATION_MAX_TRIES", 3))
    verification_token_minutes: int = field(default_factory=lambda: _int("VERIFICATION_TOKEN_MINUTES", 30))
    # Official working-day calendar (public holidays, 调休 make-up days) behind every "N working days"
    working_calendar_path: Path = field(default_factory=lambda: Path(
        _env("WORKING_CALENDAR_PATH", str(ROOT / "bot" / "backend" / "working_calendar.yml"))))
    # Proof-of-delivery photo: a verified customer gets a signed link valid this long. The signing secret
    # defaults to one derived from the backend API key; customers reach the backend at PUBLIC_BASE_URL
    # (empty: backend_base_url), which is what the link's address starts with.
    pod_link_minutes: int = field(default_factory=lambda: _int("POD_LINK_MINUTES", 10))
    pod_link_secret: str = field(default_factory=lambda: _env("POD_LINK_SECRET", ""))
    public_base_url: str = field(default_factory=lambda: _env("PUBLIC_BASE_URL", ""))
    timezone: str = field(default_factory=lambda: _env("COURIER_TZ", "Asia/Shanghai"))
    # Human agents' working hours (local time, "HH:MM"); outside them a request for a person is a callback
    agent_hours_start: str = field(default_factory=lambda: _env("AGENT_HOURS_START", "08:00"))
    agent_hours_end: str = field(default_factory=lambda: _env("AGENT_HOURS_END", "22:00"))
    # Agent console and handoff queue: minutes of waiting promised per conversation ahead in the queue,
    # login lifetime, the demo agent `make run` creates (agent / this password)
    handoff_eta_minutes: int = field(default_factory=lambda: _int("HANDOFF_ETA_MINUTES", 3))
    console_session_hours: int = field(default_factory=lambda: _int("CONSOLE_SESSION_HOURS", 12))
    console_demo_password: str = field(default_factory=lambda: _env("CONSOLE_DEMO_PASSWORD", "kefu-demo-2026"))
    console_secure_cookie: bool = field(default_factory=lambda: _bool("CONSOLE_SECURE_COOKIE", False))
    # Login throttle: this many failed logins for one account within the window lock it for the lockout
    # period (429 + Retry-After). An address gets more room, as a call centre's agents share one office address.
    console_login_max_failures: int = field(default_factory=lambda: _int("CONSOLE_LOGIN_MAX_FAILURES", 5))
    console_login_max_failures_per_address: int = field(
        default_factory=lambda: _int("CONSOLE_LOGIN_MAX_FAILURES_PER_ADDRESS", 20))
    console_login_window_s: int = field(default_factory=lambda: _int("CONSOLE_LOGIN_WINDOW_S", 15 * 60))
    console_login_lockout_s: int = field(default_factory=lambda: _int("CONSOLE_LOGIN_LOCKOUT_S", 15 * 60))
    # Whether a client's X-Forwarded-For address counts as its address (login throttle). Set it only behind a
    # reverse proxy that overwrites the header; which peers may forward is uvicorn's FORWARDED_ALLOW_IPS
    # (default 127.0.0.1). Off: the socket peer counts, so nobody picks a fresh address for every guess.
    trust_forwarded_headers: bool = field(default_factory=lambda: _bool("TRUST_FORWARDED_HEADERS", False))

    # Backend input limits and seeding
    evidence_max_bytes: int = field(default_factory=lambda: _int("EVIDENCE_MAX_BYTES", 5 * 1024 * 1024))
    max_request_bytes: int = field(default_factory=lambda: _int("MAX_REQUEST_BYTES", 6 * 1024 * 1024))
    backend_seed_on_start: bool = field(default_factory=lambda: _bool("BACKEND_SEED_ON_START", True))
    # Parcel notices: the backend pushes key tracking events to subscribed chats via Rasa's trigger_intent API
    parcel_notices_enabled: bool = field(default_factory=lambda: _bool("PARCEL_NOTICES_ENABLED", True))
    parcel_notice_intent: str = field(default_factory=lambda: _env("PARCEL_NOTICE_INTENT", "EXTERNAL_parcel_update"))
    parcel_notice_poll_s: float = field(default_factory=lambda: float(_env("PARCEL_NOTICE_POLL_S", "1")))

    @property
    def backend_base_url(self) -> str:
        return self.backend_url or f"http://{self.backend_host}:{self.backend_port}"

    @property
    def public_backend_url(self) -> str:
        return (self.public_base_url or self.backend_base_url).rstrip("/")

    @property
    def rasa_base_url(self) -> str:
        return self.rasa_url or f"http://127.0.0.1:{self.rasa_port}"

    @property
    def backend_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.var_dir / 'courier.db'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
