"""What other parts of the web process may use of the backend; nothing outside bot/backend imports deeper.

The agent console (bot/console) and the web application that assembles the process (bot/web_app) import from
here only, so the backend's modules can be rearranged without touching them; tests/test_architecture.py
keeps it so. The backend itself never imports the console or the assembler.

- the database: one engine and session per request, the migrations, the declarative `Base` whose metadata holds
  every table of the process (the console registers its tables on it; see docs/architecture.md, "Stores");
- the tables the console reads or writes beside its own: customers (VIP routing), conversation events (a handoff
  is one; the KPI counts them) and ratings (the KPI);
- request plumbing: the API-key check, the error shape (`ApiError`), input hygiene for request bodies, time, the
  in-process sliding-window rate limit (`RecentAttempts`);
- the services the console calls for an agent: parcel (and its open 催件 follow-up), customer and ticket look-ups,
  quick tickets, the KPI,
  the photos a conversation sent (claim evidence, web chat photos still held);
- the words for the backend's codes (complaint categories, claim types, service levels) the console shows;
- for the assembler: the backend's routes and middleware (`install`), its background worker, start-up seeding
  and logging.
"""

from __future__ import annotations

from bot.backend.api.deps import require_api_key
from bot.backend.app import backend_workers, install
from bot.backend.clock import iso, local_today, local_zone, to_local, utcnow
from bot.backend.db import get_engine, get_session, new_session, run_migrations
from bot.backend.errors import ApiError
from bot.backend.input_hygiene import CleanInput
from bot.backend.logging_setup import log_config
from bot.backend.models import Base, ConversationEvent, Customer, Rating
from bot.backend.schemas import ClaimIn, ComplaintIn, Fen, normalize_phone
from bot.backend.seed import seed_if_empty
from bot.backend.services.chat_uploads import held_for as chat_photos_held
from bot.backend.services.chat_uploads import open_for_session as open_chat_photo
from bot.backend.services.claims import TYPE_TEXT as CLAIM_TYPE_TEXT
from bot.backend.services.claims import create as create_claim
from bot.backend.services.claims import list_by_phone as claims_by_phone
from bot.backend.services.complaints import CATEGORY_TEXT as COMPLAINT_CATEGORY_TEXT
from bot.backend.services.complaints import create as create_complaint
from bot.backend.services.complaints import list_by_phone as complaints_by_phone
from bot.backend.services.customers import by_phone as customer_by_phone
from bot.backend.services.evidence import for_conversation as evidence_for_conversation
from bot.backend.services.evidence import open_for_conversation as open_evidence_photo
from bot.backend.services.feedback import mark_started as mark_conversation_started
from bot.backend.services.follow_ups import open_for as open_follow_up
from bot.backend.services.quotes import LEVEL_TEXT as SERVICE_LEVEL_TEXT
from bot.backend.services.recent_attempts import Attempts as RecentAttempts
from bot.backend.services.reports import daily as kpi_daily
from bot.backend.services.reports import kpi as kpi_report
from bot.backend.services.reports import window_start as kpi_window_start
from bot.backend.services.tracking import find_parcel
from bot.backend.services.tracking import summary as parcel_summary

__all__ = [
    "CLAIM_TYPE_TEXT", "COMPLAINT_CATEGORY_TEXT", "SERVICE_LEVEL_TEXT",
    "ApiError", "Base", "RecentAttempts", "ClaimIn", "CleanInput", "ComplaintIn", "ConversationEvent", "Customer", "Fen", "Rating",
    "backend_workers", "chat_photos_held", "claims_by_phone", "complaints_by_phone", "create_claim", "create_complaint",
    "customer_by_phone", "evidence_for_conversation", "find_parcel", "get_engine", "get_session", "install", "iso", "kpi_daily", "kpi_report",
    "kpi_window_start", "mark_conversation_started", "open_follow_up",
    "local_today", "local_zone", "log_config", "new_session", "normalize_phone", "open_chat_photo",
    "open_evidence_photo", "parcel_summary",
    "require_api_key", "run_migrations", "seed_if_empty", "to_local", "utcnow",
]
