"""HTTP client for the courier backend (contract: docs/backend-api.md).

One pooled `requests.Session` per process. GETs are retried with backoff; POSTs are retried only when they
carry an `Idempotency-Key`, because the backend then replays the first response instead of creating a second
ticket. Every failure surfaces as one of the typed exceptions below so actions can answer politely.

The client is blocking: actions call it through `actions.common.call_backend` (a worker thread).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from typing import Any
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter

from actions.common import mask_phones_in_text
from bot.settings import get_settings

logger = logging.getLogger(__name__)

_RETRY_STATUSES = {502, 503, 504}


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


def idempotency_key(conversation_id: str, kind: str, payload: dict[str, Any]) -> str:
    """Same conversation + same confirmed content → same key, so a retried confirmation is replayed."""
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    digest = hashlib.sha256(f"{conversation_id}\x1f{kind}\x1f{canonical}".encode()).hexdigest()
    return f"{kind}-{digest[:48]}"


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
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=32, max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.update({"X-API-Key": self.api_key, "Accept": "application/json"})

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
        retriable = method == "GET" or bool(idempotency)
        attempts = 1 + (self.retries if retriable else 0)
        url = f"{self.base_url}{path}"
        shown = mask_phones_in_text(f"{method} {path}{'?' + str(params) if params else ''}")
        last_error: BackendUnavailable | None = None
        for attempt in range(attempts):
            if attempt:
                time.sleep(self.backoff_s * (2 ** (attempt - 1)))
            started = time.monotonic()
            try:
                response = self.session.request(
                    method,
                    url,
                    json=json_body,
                    params=params,
                    headers=headers,
                    files=files,
                    timeout=(min(1.0, self.timeout_s), self.timeout_s),
                )
            except requests.RequestException as exc:
                last_error = BackendUnavailable("unavailable", type(exc).__name__)
                logger.warning("backend %s failed (try %d/%d): %s", shown, attempt + 1, attempts,
                               type(exc).__name__)
                continue
            elapsed_ms = (time.monotonic() - started) * 1000
            logger.debug("backend %s → %s in %.0f ms", shown, response.status_code, elapsed_ms)
            if response.status_code in _RETRY_STATUSES:
                last_error = BackendUnavailable("unavailable", f"HTTP {response.status_code}")
                logger.warning("backend %s → %s (try %d/%d)", shown, response.status_code, attempt + 1,
                               attempts)
                continue
            return self._decode(response, shown)
        assert last_error is not None
        raise last_error

    @staticmethod
    def _decode(response: requests.Response, shown: str) -> Any:
        try:
            body = response.json() if response.content else {}
        except ValueError:
            body = {}
        if response.status_code < 400:
            return body
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

    # ---- quotes ----------------------------------------------------------------------------------------
    def create_quote(self, payload: dict[str, Any], idempotency: str | None = None) -> dict[str, Any]:
        return self._request("POST", "/api/v1/quotes", json_body=payload, idempotency=idempotency)

    # ---- pickups ---------------------------------------------------------------------------------------
    def create_pickup(self, payload: dict[str, Any], idempotency: str | None = None) -> dict[str, Any]:
        return self._request("POST", "/api/v1/pickups", json_body=payload, idempotency=idempotency)

    # ---- complaints ------------------------------------------------------------------------------------
    def create_complaint(self, payload: dict[str, Any], idempotency: str | None = None) -> dict[str, Any]:
        return self._request("POST", "/api/v1/complaints", json_body=payload, idempotency=idempotency)

    def get_complaint(self, number: str) -> dict[str, Any]:
        return self._request("GET", f"/api/v1/complaints/{quote(number, safe='')}")

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

    def get_claim(self, number: str) -> dict[str, Any]:
        return self._request("GET", f"/api/v1/claims/{quote(number, safe='')}")

    def list_claims(self, phone: str, tracking_last4: str | None = None) -> dict[str, Any]:
        params = {"phone": phone, **({"tracking_last4": tracking_last4} if tracking_last4 else {})}
        return self._request("GET", "/api/v1/claims", params=params)

    def count_claims(self, phone: str) -> dict[str, Any]:
        return self._request("GET", "/api/v1/claims/count", params={"phone": phone})

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


_client: BackendClient | None = None
_client_lock = threading.Lock()


def get_client() -> BackendClient:
    """The process-wide client (one connection pool per action-server process)."""
    global _client
    if _client is None:
        with _client_lock:
            if _client is None:
                _client = BackendClient()
    return _client


def set_client(client: BackendClient | None) -> None:
    """Replace the process-wide client (tests point it at their own backend); None rebuilds from settings."""
    global _client
    with _client_lock:
        _client = client
