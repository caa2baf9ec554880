"""The one place configuration is read: environment variables with defaults for the embedded profile.

Business numbers from DOMAIN.md (24 h complaint response, 8 h quote reply, 3 working-day payout,
¥2,000 auto-handling limit…) live here too, so nothing else hard-codes them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent

# The demo secrets of the embedded profile: public (they are in this repository), so the production profile
# refuses to start with them (bot/production_check.py).
DEMO_BACKEND_API_KEY = "dev-local-key"
DEMO_CONSOLE_PASSWORD = "kefu-demo-2026"


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


class SettingError(ValueError):
    """An environment variable that cannot be read as its setting's type; the message names the variable."""


def _typed(name: str, default: float, kind: type) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return kind(raw.strip())
    except ValueError:
        raise SettingError(f"{name}={raw!r} is not a valid {kind.__name__} (default: {default})") from None


def _int(name: str, default: int) -> int:
    return int(_typed(name, default, int))


def _float(name: str, default: float) -> float:
    return float(_typed(name, default, float))


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw.strip().lower() in _TRUE | _FALSE:
        return raw.strip().lower() in _TRUE
    raise SettingError(f"{name}={raw!r} is not a yes/no value (use 1/0, true/false, yes/no, on/off)")


@dataclass(frozen=True)
class Settings:
    # Where things run
    var_dir: Path = field(default_factory=lambda: Path(_env("COURIER_VAR_DIR", str(ROOT / "var"))))
    backend_host: str = field(default_factory=lambda: _env("BACKEND_HOST", "127.0.0.1"))
    backend_port: int = field(default_factory=lambda: _int("BACKEND_PORT", 8000))
    backend_url: str = field(default_factory=lambda: _env("BACKEND_URL", ""))
    backend_api_key: str = field(default_factory=lambda: _env("BACKEND_API_KEY", DEMO_BACKEND_API_KEY))
    rasa_port: int = field(default_factory=lambda: _int("RASA_PORT", 5005))
    rasa_url: str = field(default_factory=lambda: _env("RASA_URL", ""))
    # Where the web chat's browsers reach Rasa (its public address, e.g. behind the reverse proxy); empty: the
    # chat page's own host on RASA_PORT. Served to the page by /chat/config.js (bot/web_app/chat_page.py).
    chat_rasa_url: str = field(default_factory=lambda: _env("CHAT_RASA_URL", ""))
    # Signs the web chat's session ids for the browser each was given to (bot/chat_session_token.py); empty:
    # a random per-installation secret in the var dir. The production profile must set it, the same in every
    # Rasa instance and web process (the photo upload route checks the token too).
    chat_session_secret: str = field(default_factory=lambda: _env("CHAT_SESSION_SECRET", ""))
    action_port: int = field(default_factory=lambda: _int("ACTION_PORT", 5055))
    # The action server runs code for anyone who reaches it: loopback unless deliberately opened
    action_host: str = field(default_factory=lambda: _env("ACTION_HOST", "127.0.0.1"))
    # Token of Rasa's HTTP API (everything but the channel webhooks and socket.io); empty: the stack
    # (bot/stack.py) makes a random one for the processes it starts. The production profile must set it.
    rasa_api_token: str = field(default_factory=lambda: _env("RASA_API_TOKEN", ""))
    # Browser origins (scheme://host[:port], comma-separated, exact) allowed to use Rasa cross-origin (the web
    # chat's socket.io); empty: the origin of the page serving /chat/ (public_backend_url), see cors_origin_list
    cors_origins: str = field(default_factory=lambda: _env("CORS_ORIGINS", ""))

    # Storage profile: empty means the embedded default (SQLite file / in-memory stores)
    database_url: str = field(default_factory=lambda: _env("DATABASE_URL", ""))
    redis_url: str = field(default_factory=lambda: _env("REDIS_URL", ""))
    tracker_store_url: str = field(default_factory=lambda: _env("TRACKER_STORE_URL", ""))
    rabbitmq_url: str = field(default_factory=lambda: _env("RABBITMQ_URL", ""))
    rabbitmq_queue: str = field(default_factory=lambda: _env("RABBITMQ_QUEUE", "rasa_events"))
    # Durable outbox of confirmed writes the backend could not take yet (bot/outbox, docs/scaling.md); empty:
    # TRACKER_STORE_URL's database when set (it lives and dies with the conversations), else outbox.db in the var dir
    outbox_database_url: str = field(default_factory=lambda: _env("OUTBOX_DATABASE_URL", ""))
    outbox_max_items: int = field(default_factory=lambda: _int("OUTBOX_MAX_ITEMS", 10_000))
    outbox_max_payload_bytes: int = field(default_factory=lambda: _int("OUTBOX_MAX_PAYLOAD_BYTES", 64 * 1024))
    outbox_poll_s: float = field(default_factory=lambda: _float("OUTBOX_POLL_S", 1))
    outbox_retry_base_s: float = field(default_factory=lambda: _float("OUTBOX_RETRY_BASE_S", 2))
    outbox_retry_max_s: float = field(default_factory=lambda: _float("OUTBOX_RETRY_MAX_S", 60))
    outbox_lease_s: float = field(default_factory=lambda: _float("OUTBOX_LEASE_S", 60))

    # Clients between our processes (bot/clients). The web process's API (actions, tools): timeout of a call and
    # extra tries for reads and idempotent writes; the channels' handoff gate asks it before every customer
    # message, so it waits less and then lets the assistant answer.
    backend_timeout_s: float = field(default_factory=lambda: _float("BACKEND_TIMEOUT_S", 3))
    backend_retries: int = field(default_factory=lambda: _int("BACKEND_RETRIES", 2))
    handoff_gate_timeout_s: float = field(default_factory=lambda: _float("HANDOFF_GATE_TIMEOUT_S", 2))
    # Rasa's HTTP API (console, parcel notifier): pushes and tracker reads, and calls that run actions
    # (the hand-back's execute, a notice's trigger_intent), which wait for the action server too
    rasa_timeout_s: float = field(default_factory=lambda: _float("RASA_TIMEOUT_S", 5))
    rasa_action_timeout_s: float = field(default_factory=lambda: _float("RASA_ACTION_TIMEOUT_S", 30))
    # Rasa's wait for the action server's answer to one action (Rasa's own default is 5 minutes); then the customer
    # gets bot/action_failure.py's apology. Above the slowest action: a backend call with its retries, a photo fetch.
    action_server_timeout_s: float = field(default_factory=lambda: _float("ACTION_SERVER_TIMEOUT_S", 20))

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
    wechat_passive_timeout_s: float = field(default_factory=lambda: _float("WECHAT_PASSIVE_TIMEOUT_S", 4.5))
    wechat_dedupe_ttl_s: int = field(default_factory=lambda: _int("WECHAT_DEDUPE_TTL_S", 300))

    # Chat input bounds (every channel, bot/channels/inbound_guard.py): a longer message never reaches NLU,
    # whose cost grows with the square of its length; the customer is asked politely to shorten it
    max_message_chars: int = field(default_factory=lambda: _int("MAX_MESSAGE_CHARS", 1000))
    # Largest HTTP body (and socket.io / websocket message) the Rasa server reads; larger is refused unread
    rasa_max_request_bytes: int = field(default_factory=lambda: _int("RASA_MAX_REQUEST_BYTES", 2 * 1024 * 1024))

    # Service norms (DOMAIN.md)
    complaint_response_hours: int = field(default_factory=lambda: _int("COMPLAINT_RESPONSE_HOURS", 24))
    quote_reply_hours: int = field(default_factory=lambda: _int("QUOTE_REPLY_HOURS", 8))
    # 催件: the delivery outlet answers a follow-up within this many of its working hours (local "HH:MM",
    # every day of the week: outlets deliver at weekends); docs/service-rules.md
    hurry_reply_hours: int = field(default_factory=lambda: _int("HURRY_REPLY_HOURS", 4))
    outlet_hours_start: str = field(default_factory=lambda: _env("OUTLET_HOURS_START", "08:00"))
    outlet_hours_end: str = field(default_factory=lambda: _env("OUTLET_HOURS_END", "20:00"))
    claim_payout_working_days: int = field(default_factory=lambda: _int("CLAIM_PAYOUT_WORKING_DAYS", 3))
    claim_auto_limit_fen: int = field(default_factory=lambda: _int("CLAIM_AUTO_LIMIT_FEN", 200_000))
    uninsured_cap_freight_multiple: int = field(default_factory=lambda: _int("UNINSURED_CAP_MULTIPLE", 3))
    special_cargo_kg: int = field(default_factory=lambda: _int("SPECIAL_CARGO_KG", 50))
    verification_max_tries: int = field(default_factory=lambda: _int("VERIFICATION_MAX_TRIES", 3))
    verification_token_minutes: int = field(default_factory=lambda: _int("VERIFICATION_TOKEN_MINUTES", 30))
    # Ticket look-ups by number (CP…/CL…) from outside the conversation that filed the ticket, counted in the
    # backend database within a window: per conversation, per API caller (key + client address), and the
    # not-found ones across everybody; past any of them look-ups answer 429 until the window ends. Wrong
    # phone digits for one ticket are locked like tracking proofs (VERIFICATION_MAX_FAILURES below).
    ticket_lookup_window_s: int = field(default_factory=lambda: _int("TICKET_LOOKUP_WINDOW_S", 15 * 60))
    ticket_lookups_per_conversation: int = field(
        default_factory=lambda: _int("TICKET_LOOKUPS_PER_CONVERSATION", 6))
    ticket_lookups_per_caller: int = field(default_factory=lambda: _int("TICKET_LOOKUPS_PER_CALLER", 600))
    ticket_lookup_misses_global: int = field(default_factory=lambda: _int("TICKET_LOOKUP_MISSES_GLOBAL", 200))
    # Wrong proofs per parcel (last 4 phone digits) and per phone (ticket look-ups), counted by the backend
    # across every chat and channel: this many within the window lock the parcel/phone for the lockout, and
    # each further wrong proof in the same window locks it again (see bot/backend/services/failure_counter.py).
    verification_max_failures: int = field(default_factory=lambda: _int("VERIFICATION_MAX_FAILURES", 5))
    verification_window_minutes: int = field(default_factory=lambda: _int("VERIFICATION_WINDOW_MINUTES", 24 * 60))
    verification_lockout_minutes: int = field(default_factory=lambda: _int("VERIFICATION_LOCKOUT_MINUTES", 30))
    # Official working-day calendar (public holidays, 调休 make-up days) behind every "N working days"
    working_calendar_path: Path = field(default_factory=lambda: Path(
        _env("WORKING_CALENDAR_PATH", str(ROOT / "bot" / "backend" / "working_calendar.yml"))))
    # Proof-of-delivery photo: a verified customer gets a signed link valid this long. The signing secret
    # defaults to a random per-installation one (bot/installation_secret.py); customers reach the backend at PUBLIC_BASE_URL
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
    # A customer waiting for a person (web chat, WeChat) is told their place and wait again every
    # HANDOFF_QUEUE_UPDATE_S seconds (0: never); each web process looks for who is due every HANDOFF_QUEUE_POLL_S.
    handoff_queue_update_s: float = field(default_factory=lambda: _float("HANDOFF_QUEUE_UPDATE_S", 120))
    handoff_queue_poll_s: float = field(default_factory=lambda: _float("HANDOFF_QUEUE_POLL_S", 10))
    console_session_hours: int = field(default_factory=lambda: _int("CONSOLE_SESSION_HOURS", 12))
    console_demo_password: str = field(default_factory=lambda: _env("CONSOLE_DEMO_PASSWORD", DEMO_CONSOLE_PASSWORD))
    console_secure_cookie: bool = field(default_factory=lambda: _bool("CONSOLE_SECURE_COOKIE", False))
    # Login backoff (bot/console/login_throttle.py), never a hard lock: one account from one address gets this
    # many free failures, then waits CONSOLE_LOGIN_BACKOFF_S, doubled after every further failure, at most
    # CONSOLE_LOGIN_MAX_BACKOFF_S (429 + Retry-After). Past MAX_FAILURES for one account (all addresses) or
    # MAX_FAILURES_PER_ADDRESS from one address (a call centre's office shares one), only addresses where that
    # account never logged in back off too; its usual places (a login within KNOWN_PLACE_DAYS) keep their own.
    # Failures are forgotten after CONSOLE_LOGIN_WINDOW_S without a new one.
    console_login_free_failures: int = field(default_factory=lambda: _int("CONSOLE_LOGIN_FREE_FAILURES", 3))
    console_login_max_failures: int = field(default_factory=lambda: _int("CONSOLE_LOGIN_MAX_FAILURES", 10))
    console_login_max_failures_per_address: int = field(
        default_factory=lambda: _int("CONSOLE_LOGIN_MAX_FAILURES_PER_ADDRESS", 30))
    console_login_backoff_s: int = field(default_factory=lambda: _int("CONSOLE_LOGIN_BACKOFF_S", 2))
    console_login_max_backoff_s: int = field(default_factory=lambda: _int("CONSOLE_LOGIN_MAX_BACKOFF_S", 15 * 60))
    console_login_window_s: int = field(default_factory=lambda: _int("CONSOLE_LOGIN_WINDOW_S", 60 * 60))
    console_login_known_place_days: int = field(default_factory=lambda: _int("CONSOLE_LOGIN_KNOWN_PLACE_DAYS", 90))
    # Origins (scheme://host[:port], comma-separated) whose pages may send the console's state-changing requests
    # besides the console's own; empty: PUBLIC_BASE_URL's and the backend URL's origins.
    console_allowed_origins: str = field(default_factory=lambda: _env("CONSOLE_ALLOWED_ORIGINS", ""))
    # Whether a client's X-Forwarded-For address counts as its address (login throttle). Set it only behind a
    # reverse proxy that overwrites the header; which peers may forward is uvicorn's FORWARDED_ALLOW_IPS
    # (default 127.0.0.1). Off: the socket peer counts, so nobody picks a fresh address for every guess.
    trust_forwarded_headers: bool = field(default_factory=lambda: _bool("TRUST_FORWARDED_HEADERS", False))
    # The review loop (docs/review-loop.md): each web process reads Rasa's events every ANALYTICS_POLL_S, at most
    # ANALYTICS_BATCH per pass, from ANALYTICS_SOURCE: "broker" (RabbitMQ: RABBITMQ_QUEUE, which Rasa's event
    # broker fills), "tracker_store" (Rasa's tracker store, read incrementally), "off"; empty: broker
    # when RABBITMQ_URL is set, else tracker_store. A message under REVIEW_LOW_CONFIDENCE is shown for review;
    # the console's export writes REVIEW_EXPORT_PATH, which training reads with the rest of data/.
    analytics_source: str = field(default_factory=lambda: _env("ANALYTICS_SOURCE", ""))
    analytics_poll_s: float = field(default_factory=lambda: _float("ANALYTICS_POLL_S", 5))
    analytics_batch: int = field(default_factory=lambda: _int("ANALYTICS_BATCH", 500))
    review_low_confidence: float = field(default_factory=lambda: _float("REVIEW_LOW_CONFIDENCE", 0.6))
    review_export_path: Path = field(default_factory=lambda: Path(
        _env("REVIEW_EXPORT_PATH", str(ROOT / "data" / "nlu" / "reviewed.yml"))))

    # Backend input limits and seeding
    evidence_max_bytes: int = field(default_factory=lambda: _int("EVIDENCE_MAX_BYTES", 5 * 1024 * 1024))
    # Photo addresses come from message metadata, which web clients write themselves: the action server fetches
    # them only from public addresses unless this is set (a WeChat simulator or test photos on this machine).
    photo_fetch_allow_private: bool = field(default_factory=lambda: _bool("PHOTO_FETCH_ALLOW_PRIVATE", False))
    max_request_bytes: int = field(default_factory=lambda: _int("MAX_REQUEST_BYTES", 6 * 1024 * 1024))
    # Photos sent from the web chat (POST /chat/uploads): attempts per chat session and per client address in
    # any hour, and how long a photo no claim took is kept (var/chat-uploads/) before it is deleted.
    chat_uploads_per_hour: int = field(default_factory=lambda: _int("CHAT_UPLOADS_PER_HOUR", 20))
    chat_uploads_per_address_hour: int = field(default_factory=lambda: _int("CHAT_UPLOADS_PER_ADDRESS_HOUR", 60))
    chat_upload_keep_hours: int = field(default_factory=lambda: _int("CHAT_UPLOAD_KEEP_HOURS", 24))
    backend_seed_on_start: bool = field(default_factory=lambda: _bool("BACKEND_SEED_ON_START", True))
    # Parcel notices: the backend pushes key tracking events to subscribed chats via Rasa's trigger_intent API
    parcel_notices_enabled: bool = field(default_factory=lambda: _bool("PARCEL_NOTICES_ENABLED", True))
    parcel_notice_intent: str = field(default_factory=lambda: _env("PARCEL_NOTICE_INTENT", "EXTERNAL_parcel_update"))
    parcel_notice_poll_s: float = field(default_factory=lambda: _float("PARCEL_NOTICE_POLL_S", 1))
    # Personal data at rest (docs/data-retention.md): conversations, transcripts and evidence older than this many
    # days are deleted, tickets and parcels anonymised (0 keeps everything); the backend purges every interval
    # (0: only `python -m bot.retention purge`, e.g. from cron)
    retention_days: int = field(default_factory=lambda: _int("RETENTION_DAYS", 180))
    retention_purge_interval_s: int = field(default_factory=lambda: _int("RETENTION_PURGE_INTERVAL_S", 6 * 3600))

    # Supervision (`make run`, bot/supervisor.py): a service that exits, or whose health probe fails
    # SUPERVISOR_PROBE_FAILURES times in a row although its process runs (stuck, model unloaded), is restarted
    # after SUPERVISOR_BACKOFF_INITIAL_S, doubled after every further restart up to SUPERVISOR_BACKOFF_MAX_S;
    # SUPERVISOR_BACKOFF_RESET_S of good health starts the doubling over. Probes run every
    # SUPERVISOR_PROBE_INTERVAL_S, each bounded by SUPERVISOR_PROBE_TIMEOUT_S; a restarted service has
    # SUPERVISOR_START_TIMEOUT_S to answer (Rasa loads its model) before it counts as failed again.
    supervisor_backoff_initial_s: float = field(
        default_factory=lambda: _float("SUPERVISOR_BACKOFF_INITIAL_S", 1))
    supervisor_backoff_max_s: float = field(default_factory=lambda: _float("SUPERVISOR_BACKOFF_MAX_S", 30))
    supervisor_backoff_reset_s: float = field(
        default_factory=lambda: _float("SUPERVISOR_BACKOFF_RESET_S", 120))
    supervisor_probe_interval_s: float = field(
        default_factory=lambda: _float("SUPERVISOR_PROBE_INTERVAL_S", 5))
    supervisor_probe_timeout_s: float = field(
        default_factory=lambda: _float("SUPERVISOR_PROBE_TIMEOUT_S", 10))
    supervisor_probe_failures: int = field(default_factory=lambda: _int("SUPERVISOR_PROBE_FAILURES", 3))
    supervisor_start_timeout_s: float = field(
        default_factory=lambda: _float("SUPERVISOR_START_TIMEOUT_S", 300))

    # Cluster mode (`make cluster`, bot/cluster, docs/scaling.md): how many Rasa instances, action servers and web
    # processes run behind HAProxy on this machine, the balancer's public port (the Ingress of deploy/k8s) and its
    # stats page; BACKEND_PORT / RASA_PORT / ACTION_PORT become the balancer's inside addresses (the Services of
    # deploy/k8s) and the instances listen on the ports just above them. The haproxy program (Debian's package).
    cluster_rasa_instances: int = field(default_factory=lambda: _int("CLUSTER_RASA_INSTANCES", 2))
    cluster_action_servers: int = field(default_factory=lambda: _int("CLUSTER_ACTION_SERVERS", 2))
    cluster_web_processes: int = field(default_factory=lambda: _int("CLUSTER_WEB_PROCESSES", 2))
    cluster_port: int = field(default_factory=lambda: _int("CLUSTER_PORT", 8080))
    cluster_bind: str = field(default_factory=lambda: _env("CLUSTER_BIND", "127.0.0.1"))
    cluster_stats_port: int = field(default_factory=lambda: _int("CLUSTER_STATS_PORT", 8404))
    haproxy_bin: str = field(default_factory=lambda: _env("HAPROXY_BIN", "haproxy"))

    @property
    def backend_base_url(self) -> str:
        return self.backend_url or f"http://{self.backend_host}:{self.backend_port}"

    @property
    def public_backend_url(self) -> str:
        return (self.public_base_url or self.backend_base_url).rstrip("/")

    @property
    def cors_origin_list(self) -> list[str]:
        """CORS_ORIGINS, else the chat page's own origin (with its other loopback spellings when local)."""
        configured = [origin.strip().rstrip("/") for origin in self.cors_origins.split(",") if origin.strip()]
        return configured or _page_origins(self.public_backend_url)

    @property
    def rasa_base_url(self) -> str:
        return self.rasa_url or f"http://127.0.0.1:{self.rasa_port}"

    @property
    def backend_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.var_dir / 'courier.db'}"

    @property
    def conversation_store_url(self) -> str:
        """Where Rasa keeps conversations: TRACKER_STORE_URL, else a SQLite file, so a restart keeps them."""
        return self.tracker_store_url or f"sqlite:///{self.var_dir / 'conversations.db'}"

    @property
    def outbox_url(self) -> str:
        return self.outbox_database_url or self.tracker_store_url or f"sqlite:///{self.var_dir / 'outbox.db'}"


_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "0.0.0.0")


def _page_origins(url: str) -> list[str]:
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    if parts.hostname in _LOOPBACK_NAMES:
        # The same local page is opened as localhost or 127.0.0.1; 0.0.0.0 is where it listens, not an origin
        return [f"{parts.scheme}://{host}{port}" for host in ("localhost", "127.0.0.1")]
    return [f"{parts.scheme}://{parts.netloc}"]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
