"""Client of the web process's API (contract: docs/backend-api.md): the backend's `/api/v1/*` and the console's
handoff service, which share one address and one API key.

One pooled `requests.Session` per process. Reads and POSTs that carry an `Idempotency-Key` are retried by
urllib3's `Retry` (BACKEND_RETRIES, with backoff): the backend replays the first response for a key instead
of creating a second ticket. Other POSTs go out once. Every failure surfaces as one of the typed exceptions
below so callers can answer politely.

The client is blocking: actions call it through `actions.common.call_backend` (a worker thread). The channels'
handoff gate runs in Rasa's event loop and uses `route_inbound`, the one call made with aiohttp.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp
import requests

from bot.clients.http import RETRY_STATUSES, pooled_session, retry_policy
from bot.process_wide import ProcessWide
from bot.settings import get_settings
from bot.vocabulary.phones import mask_mobiles_in_text

logger = logging.getLogger(__name__)

MAX_INBOUND_TEXT_CHARS = 4000


class BackendError(Exception):
    """Base of every backend failure; `code` is the backend's machine code when it sent one."""

    def __init__(self, code: str, message: str = "", detail: dict[str, Any] | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.detail = detail or {}


class BackendUnavailable(BackendError):
    """Down, timing out, 5xx, misconfigured key: nothing the customer can fix."""


class NotFound(BackendError):
    """404: unknown parcel, ticket, customer."""


class InvalidInput(BackendError):
    """422/400/409: the backend refused the values (unknown_city, prohibited_item, invalid_tracking_number…)."""

    @property
    def reason(self) -> str:
        return str(self.detail.get("reason") or "")


class VerificationFailed(BackendError):
    """403: wrong phone digits (`verification_failed`) or missing/expired token (`verification_required`)."""


class TooManyAttempts(BackendError):
    """429: e.g. `verification_locked`, a parcel's or phone's proofs locked after too many wrong answers."""

    @property
    def retry_after_s(self) -> int:
        try:
            return max(1, int(self.detail.get("retry_after_s") or 60))
        except (TypeError, ValueError):
            return 60


def idempotency_key(conversation_id: str, kind: str, payload: dict[str, Any]) -> str:
    """Same conversation + same confirmed content → same key, so a retried confirmation is replayed."""
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    digest = hashlib.sha256(f"{conversation_id}\x1f{kind}\x1f{canonical}".encode()).hexdigest()
    return f"{kind}-{digest[:48]}"


@dataclass(frozen=True)
class InboundRoute:
    """The console's answer for a customer message: whether an agent owns it (the assistant stays silent), and
    whether it asks how long the wait for a person still is (the assistant answers with the queue)."""

    intercepted: bool = False
    asks_wait: bool = False


class BackendClient:
    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout_s: float | None = None,
        retries: int | None = None,
        backoff_s: float = 0.2,
    ) -> None:
        settings = get_settings()
        self.base_url = (base_url or settings.backend_base_url).rstrip("/")
        self.api_key = api_key or settings.backend_api_key
        self.timeout_s = timeout_s if timeout_s is not None else settings.backend_timeout_s
        self.retries = retries if retries is not None else settings.backend_retries
        self.backoff_s = backoff_s
        self.gate_timeout_s = settings.handoff_gate_timeout_s
        headers = {"X-API-Key": self.api_key, "Accept": "application/json"}
        # Two pools: `Retry` is set per adapter, and only idempotent calls may be sent twice.
        self._repeatable = pooled_session(retry_policy(self.retries, backoff_s), headers)
        self._once = pooled_session(0, headers)

    # ---- transport -------------------------------------------------------------------------------------
    def _request(
        self,
        method: str,
        path: str,
        *,
        json_body: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        files: dict[str, Any] | None = None,
        idempotency: str | None = None,
    ) -> Any:
        headers = dict(headers or {})
        if idempotency:
            headers["Idempotency-Key"] = idempotency
        repeatable = method == "GET" or bool(idempotency)
        session = self._repeatable if repeatable else self._once
        shown = mask_mobiles_in_text(f"{method} {path}{'?' + str(params) if params else ''}")
        started = time.monotonic()
        try:
            response = session.request(method, f"{self.base_url}{path}", json=json_body, params=params,
                                       headers=headers, files=files,
                                       timeout=(min(1.0, self.timeout_s), self.timeout_s))
        except requests.RequestException as exc:
            logger.warning("backend %s failed%s: %s", shown, " after retries" if repeatable else "",
                           type(exc).__name__)
            raise BackendUnavailable("unavailable", type(exc).__name__) from exc
        logger.debug("backend %s → %s in %.0f ms", shown, response.status_code,
                     (time.monotonic() - started) * 1000)
        return self._decode(response, shown)

    @staticmethod
    def _decode(response: requests.Response, shown: str) -> Any:
        try:
            body = response.json() if response.content else {}
        except ValueError:
            body = {}
        if response.status_code < 400:
            return body
        if response.status_code in RETRY_STATUSES:
            logger.warning("backend %s → %s", shown, response.status_code)
            raise BackendUnavailable("unavailable", f"HTTP {response.status_code}")
        detail = body.get("detail") if isinstance(body, dict) else None
        if not isinstance(detail, dict):
            detail = {"code": "error", "message": str(detail or "")}
        code = str(detail.get("code") or "error")
        message = str(detail.get("message") or "")
        status = response.status_code
        if status == 404:
            raise NotFound(code, message, detail)
        if status == 403:
            raise VerificationFailed(code, message, detail)
        if status in (400, 409, 422):
            raise InvalidInput(code, message, detail)
        if status == 429:
            raise TooManyAttempts(code, message, detail)
        logger.error("backend %s → %s %s", shown, status, code)
        raise BackendUnavailable(code, message, detail)

    # ---- health ----------------------------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        return self._request("GET", "/health")

    # ---- tracking --------------------------------------------------------------------------------------
    def get_parcel(self, tracking_number: str) -> dict[str, Any]:
        return self._request("GET", f"/api/v1/parcels/{quote(tracking_number, safe='')}")

    def verify_parcel(self, tracking_number: str, phone_last4: str) -> dict[str, Any]:
        # A per-call key: a network retry of this one try is replayed, never counted as a second try.
        return self._request(
            "POST",
            f"/api/v1/parcels/{quote(tracking_number, safe='')}/verify",
            json_body={"phone_last4": phone_last4},
            idempotency=f"verify-{tracking_number}-{phone_last4}-{time.time_ns()}",
        )

    def get_parcel_details(self, tracking_number: str, token: str) -> dict[str, Any]:
        return self._request(
            "GET",
            f"/api/v1/parcels/{quote(tracking_number, safe='')}/details",
            headers={"X-Verification-Token": token},
        )

    def get_pod_photo_link(self, tracking_number: str, token: str) -> dict[str, Any]:
        """A short-lived signed link to the sign-off photo; needs the parcel's verification token."""
        return self._request(
            "GET",
            f"/api/v1/parcels/{quote(tracking_number, safe='')}/pod-photo-link",
            headers={"X-Verification-Token": token},
        )

    def subscribe_parcel(self, tracking_number: str, conversation_id: str, channel: str) -> dict[str, Any]:
        # The backend keeps one subscription per parcel and chat, so a retried call is harmless.
        return self._request(
            "POST",
            f"/api/v1/parcels/{quote(tracking_number, safe='')}/subscriptions",
            json_body={"conversation_id": conversation_id, "channel": channel},
            idempotency=f"subscribe-{tracking_number}-{conversation_id}-{time.time_ns()}",
        )

    def hurry_parcel(self, tracking_number: str, conversation_id: str, channel: str) -> dict[str, Any]:
        """催件: the backend keeps one open follow-up per parcel, so a retried call records nothing twice."""
        return self._request(
            "POST",
            f"/api/v1/parcels/{quote(tracking_number, safe='')}/follow-ups",
            json_body={"conversation_id": conversation_id, "channel": channel},
            idempotency=f"hurry-{tracking_number}-{conversation_id}-{time.time_ns()}",
        )

    # ---- quotes ----------------------------------------------------------------------------------------
    def create_quote(self, payload: dict[str, Any], idempotency: str | None = None) -> dict[str, Any]:
        return self._request("POST", "/api/v1/quotes", json_body=payload, idempotency=idempotency)

    # ---- pickups ---------------------------------------------------------------------------------------
    def create_pickup(self, payload: dict[str, Any], idempotency: str | None = None) -> dict[str, Any]:
        return self._request("POST", "/api/v1/pickups", json_body=payload, idempotency=idempotency)

    # ---- complaints ------------------------------------------------------------------------------------
    def create_complaint(self, payload: dict[str, Any], idempotency: str | None = None) -> dict[str, Any]:
        return self._request("POST", "/api/v1/complaints", json_body=payload, idempotency=idempotency)

    def get_complaint(self, number: str, conversation_id: str | None = None) -> dict[str, Any]:
        """Details for the chat that filed it; for any other chat only its stage (rate-limited)."""
        return self._request("GET", f"/api/v1/complaints/{quote(number, safe='')}",
                             headers=_conversation(conversation_id))

    def verify_complaint(self, number: str, phone_last4: str, conversation_id: str | None = None) -> dict[str, Any]:
        """Details with the last 4 digits of the complaint's contact phone (wrong ones count per ticket)."""
        return self._request("POST", f"/api/v1/complaints/{quote(number, safe='')}/verify",
                             json_body={"phone_last4": phone_last4}, headers=_conversation(conversation_id))

    def list_complaints(self, phone: str, tracking_last4: str | None = None) -> dict[str, Any]:
        params = {"phone": phone, **({"tracking_last4": tracking_last4} if tracking_last4 else {})}
        return self._request("GET", "/api/v1/complaints", params=params)

    def count_complaints(self, phone: str) -> dict[str, Any]:
        return self._request("GET", "/api/v1/complaints/count", params={"phone": phone})

    # ---- claims ----------------------------------------------------------------------------------------
    def create_claim(self, payload: dict[str, Any], idempotency: str | None = None) -> dict[str, Any]:
        return self._request("POST", "/api/v1/claims", json_body=payload, idempotency=idempotency)

    def add_claim_evidence(
        self, number: str, filename: str, content: bytes, content_type: str, idempotency: str | None = None
    ) -> dict[str, Any]:
        return self._request(
            "POST",
            f"/api/v1/claims/{quote(number, safe='')}/evidence",
            files={"file": (filename, content, content_type)},
            idempotency=idempotency,
        )

    def attach_chat_upload(self, number: str, upload: str, idempotency: str | None = None) -> dict[str, Any]:
        """A photo the customer sent from the web chat (its `chat-upload:` reference) becomes claim evidence."""
        return self._request("POST", f"/api/v1/claims/{quote(number, safe='')}/evidence/chat-upload",
                             json_body={"upload": upload}, idempotency=idempotency)

    def get_claim(self, number: str, conversation_id: str | None = None) -> dict[str, Any]:
        """Details for the chat that filed it; for any other chat only its stage (rate-limited)."""
        return self._request("GET", f"/api/v1/claims/{quote(number, safe='')}",
                             headers=_conversation(conversation_id))

    def verify_claim(self, number: str, phone_last4: str, conversation_id: str | None = None) -> dict[str, Any]:
        """Details with the last 4 digits of the claim's contact phone (wrong ones count per ticket)."""
        return self._request("POST", f"/api/v1/claims/{quote(number, safe='')}/verify",
                             json_body={"phone_last4": phone_last4}, headers=_conversation(conversation_id))

    def list_claims(self, phone: str, tracking_last4: str | None = None) -> dict[str, Any]:
        params = {"phone": phone, **({"tracking_last4": tracking_last4} if tracking_last4 else {})}
        return self._request("GET", "/api/v1/claims", params=params)

    def count_claims(self, phone: str) -> dict[str, Any]:
        return self._request("GET", "/api/v1/claims/count", params={"phone": phone})

    def advance_parcel(self, tracking_number: str) -> dict[str, Any]:
        """Demo tool (`python -m bot.backend.advance`): the parcel's next journey node, and notices queued."""
        return self._request("POST", f"/api/v1/parcels/{quote(tracking_number, safe='')}/advance")

    # ---- handoffs to human agents (served by the console) ----------------------------------------------
    def open_handoff(self, payload: dict[str, Any]) -> dict[str, Any]:
        # Sent once: opening a handoff is not idempotent (a second one would queue the chat twice).
        return self._request("POST", "/api/v1/handoffs", json_body=payload)

    def request_callback(self, payload: dict[str, Any]) -> dict[str, Any]:
        return self._request("POST", "/api/v1/callbacks", json_body=payload)

    async def route_inbound(self, conversation_id: str, text: str, channel: str) -> InboundRoute:
        """Whether an agent owns the conversation (then the console has stored the message for the agent), and
        whether a waiting customer asks about the wait.

        Async (the channels run in Rasa's event loop) and sent once: a repeat would show the agent the
        message twice. Raises BackendUnavailable on any failure, like every other call.
        """
        body = {"conversation_id": conversation_id[:128], "text": text.strip()[:MAX_INBOUND_TEXT_CHARS],
                "channel": channel[:16]}
        try:
            # A session per call: localhost is cheap, and nothing outlives the event loop that made it.
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.gate_timeout_s)) as http, \
                    http.post(f"{self.base_url}/api/v1/handoffs/inbound", json=body,
                              headers={"X-API-Key": self.api_key}) as reply:
                if reply.status != 200:
                    raise BackendUnavailable("unavailable", f"HTTP {reply.status}")
                answer = await reply.json()
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise BackendUnavailable("unavailable", type(error).__name__) from error
        if not isinstance(answer, dict):
            return InboundRoute()
        return InboundRoute(intercepted=bool(answer.get("intercepted")), asks_wait=bool(answer.get("asks_wait")))

    # ---- customers, ratings, conversations -------------------------------------------------------------
    def get_customer_by_phone(self, phone: str) -> dict[str, Any]:
        return self._request("GET", f"/api/v1/customers/by-phone/{quote(phone, safe='')}")

    def create_rating(self, payload: dict[str, Any], idempotency: str | None = None) -> dict[str, Any]:
        return self._request("POST", "/api/v1/ratings", json_body=payload, idempotency=idempotency)

    def post_conversation_event(
        self, conversation_id: str, payload: dict[str, Any], idempotency: str | None = None
    ) -> dict[str, Any]:
        return self._request(
            "POST",
            f"/api/v1/conversations/{quote(conversation_id, safe='')}/events",
            json_body=payload,
            idempotency=idempotency,
        )


def _conversation(conversation_id: str | None) -> dict[str, str]:
    """The chat asking: the backend shows a ticket's details to the chat that filed it and counts the others.
    Percent-encoded, as a sender id may hold any character and a header only Latin-1."""
    return {"X-Conversation-Id": quote(conversation_id, safe="")} if conversation_id else {}


_instance: ProcessWide[BackendClient] = ProcessWide(BackendClient)


def get_client() -> BackendClient:
    """The process-wide client (one set of connection pools per process)."""
    return _instance.get()


def set_client(client: BackendClient | None) -> None:
    """Replace the process-wide client (tests point it at their own backend); None rebuilds from settings."""
    _instance.set(client)
