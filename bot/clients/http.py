"""The pooled `requests` session every client builds on: retries are urllib3's `Retry`, mounted on the adapter."""

from __future__ import annotations

import logging

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from bot.pii import PiiMaskFilter

# Gateways and an overloaded server answer these; the request may be repeated when the call is idempotent.
RETRY_STATUSES = frozenset({502, 503, 504})

# urllib3 logs the URL of every request it retries, and a path may hold a phone number (e.g. by-phone look-ups):
# masked here too, also in a process (or test) that has not installed bot/log_masking.py.
_URLLIB3_LOG = logging.getLogger("urllib3.connectionpool")
if not any(isinstance(existing, PiiMaskFilter) for existing in _URLLIB3_LOG.filters):
    _URLLIB3_LOG.addFilter(PiiMaskFilter())


def retry_policy(retries: int, backoff_s: float) -> Retry:
    """`retries` extra tries after a connection error, a timeout or a 502/503/504, with exponential backoff.

    The last 5xx answer is returned, not raised, so the caller reads its body like any other. A Retry-After
    header is not obeyed: a chat turn cannot wait as long as a server may ask.
    """
    return Retry(total=retries, connect=retries, read=retries, status=retries, other=0,
                 allowed_methods=None, status_forcelist=RETRY_STATUSES, backoff_factor=backoff_s,
                 raise_on_status=False, respect_retry_after_header=False)


def pooled_session(retry: Retry | int, headers: dict[str, str] | None = None, pool_size: int = 32) -> requests.Session:
    """A session with one connection pool per host, `retry` applied to every request it sends."""
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool_size, max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update(headers or {})
    return session
