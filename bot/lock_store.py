"""A Redis lock store that serialises the turns of one conversation across Rasa instances.

Rasa 3.6's `RedisLockStore` keeps a conversation's whole `TicketLock` as one JSON value and changes it by
read-modify-write (`GET`, change in Python, `SET`), from every instance, without a transaction:

* two instances issuing a ticket at the same moment both read the same lock and both write ticket N: both
  hold ticket N, both are "now serving", and both run a turn on the same conversation at once;
* a release (`finish_serving` + `delete_lock`) or an expiry clean-up (`update_lock`) rewrites or deletes the
  value another instance has just added its ticket to: that ticket is lost, its waiter either finds no lock
  and raises `LockError` (the message is dropped) or runs at once, next to the current holder;
* a ticket lives `TICKET_LOCK_LIFETIME` (60 s) and is never renewed: a slower turn loses its lock mid-way.

Two turns of one conversation running at once each load the tracker, add their events and save it; Rasa's SQL
tracker store then appends only the events beyond the number already stored, so the second save drops the
first events of its own turn (the customer's message among them). See RasaHQ/rasa#9213 and docs/scaling.md.

Here every change is one Lua script, atomic in Redis, and no value is ever rewritten from a stale copy:

* `…:q`  sorted set, member = a random ticket token, score = the ticket number (FIFO order);
* `…:d`  sorted set, member = the same token, score = its deadline in Redis' own clock (ms);
* `…:n`  the ticket counter (`INCR`; never below the highest queued number).

A ticket is served when it is the lowest live ticket of the queue. Expired tickets are removed one by one
(never the others with them); a waiter renews its ticket each time it looks, the holder renews it in the
background while its turn runs, so a live turn never loses the lock and a crashed instance's ticket frees
the conversation after `lock_lifetime` seconds. Only the holder of a ticket knows its token, so only it can
release or renew it. The keys of one conversation share a hash tag (one slot in Redis Cluster).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections import deque
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

import redis
from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import DEFAULT_SOCKET_TIMEOUT_IN_SECONDS, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

DEFAULT_LOCK_LIFETIME_S = 30.0  # a ticket nobody renews (crashed instance) frees the conversation after this
DEFAULT_POLL_INTERVAL_S = 0.02  # first wait between two looks of a waiter; doubles up to MAX_POLL_INTERVAL_S
MAX_POLL_INTERVAL_S = 0.1
DEFAULT_MAX_WAIT_S = 120.0  # a waiter gives up (LockError) after this long behind live tickets
KEY_IDLE_S = 3600  # the keys of a conversation nobody locks any more disappear after this long

# Every script first drops the expired tickets (their deadline, in Redis' clock, is past) from both sets.
_PURGE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
for _, token in ipairs(expired) do
  redis.call('ZREM', KEYS[1], token)
  redis.call('ZREM', KEYS[2], token)
end
"""

# KEYS q, d, n; ARGV token, lifetime ms, idle ms -> the ticket number
_ISSUE = _PURGE + """
local number = redis.call('INCR', KEYS[3])
local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if top[2] and tonumber(top[2]) >= number then
  number = tonumber(top[2]) + 1
  redis.call('SET', KEYS[3], number)
end
redis.call('ZADD', KEYS[1], number, ARGV[1])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
return number
"""

# KEYS q, d, n; ARGV token, lifetime ms, idle ms -> 1 served (lowest live ticket), 0 waiting, -1 ticket gone.
# A live ticket is renewed: looking (waiter) and renewing (holder) are the same call.
_LOOK = _PURGE + """
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return -1 end
redis.call('ZADD', KEYS[2], 'XX', now + tonumber(ARGV[2]), ARGV[1])
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
local head = redis.call('ZRANGE', KEYS[1], 0, 0)
if head[1] == ARGV[1] then return 1 end
return 0
"""

# KEYS q, d, n; ARGV token -> 1 released, 0 it was not there (expired, or not this caller's ticket)
_RELEASE = """
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('DEL', KEYS[1], KEYS[2], KEYS[3]) end
return removed
"""

# KEYS q, d -> {token1, number1, deadline1, token2, …} in ticket order, after the purge
_SNAPSHOT = _PURGE + """
local out = {}
for _, token in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  table.insert(out, token)
  table.insert(out, redis.call('ZSCORE', KEYS[1], token))
  table.insert(out, redis.call('ZSCORE', KEYS[2], token))
end
return out
"""


class CourierRedisLockStore(RedisLockStore):
    """Rasa's lock store interface over an atomic, renewing, FIFO ticket queue in Redis.

    Endpoint config (`type: bot.lock_store.CourierRedisLockStore`): `url` is a whole redis:// or rediss:// URL
    (or Rasa's RedisLockStore keys: `url` = host, `port`, `db`, `username`, `password`, `use_ssl`, …), plus
    `key_prefix`, `lock_lifetime`, `poll_interval` and `max_wait` in seconds.
    """

    def __init__(
        self,
        endpoint_config: EndpointConfig | None = None,
        lock_lifetime: float = DEFAULT_LOCK_LIFETIME_S,
        poll_interval: float = DEFAULT_POLL_INTERVAL_S,
        max_wait: float = DEFAULT_MAX_WAIT_S,
        **redis_kwargs: Any,
    ) -> None:
        if endpoint_config is not None:
            options = dict(endpoint_config.kwargs)
            lock_lifetime = float(options.pop("lock_lifetime", lock_lifetime))
            poll_interval = float(options.pop("poll_interval", poll_interval))
            max_wait = float(options.pop("max_wait", max_wait))
            redis_kwargs = {"host": endpoint_config.url or "localhost", **options, **redis_kwargs}
        url = redis_kwargs.get("host", "")
        if "://" in url:  # a whole REDIS_URL (the endpoints file names `${REDIS_URL}`)
            redis_kwargs["host"] = "localhost"
        super().__init__(**redis_kwargs)
        if "://" in url:
            # redis-py reads everything the URL says: rediss:// (TLS), the ACL username, password, db and
            # query options (ssl_cert_reqs, ssl_ca_certs, socket_timeout…) that Rasa's keyword arguments drop.
            self.red = redis.Redis.from_url(url, socket_timeout=redis_kwargs.get("socket_timeout",
                                                                                  DEFAULT_SOCKET_TIMEOUT_IN_SECONDS))
        self.lock_lifetime = lock_lifetime
        self.poll_interval = poll_interval
        self.max_wait = max_wait
        self._issue = self.red.register_script(_ISSUE)
        self._look = self.red.register_script(_LOOK)
        self._release = self.red.register_script(_RELEASE)
        self._snapshot = self.red.register_script(_SNAPSHOT)
        # The tokens of the tickets this instance holds or waits for: (conversation, number) -> token.
        self._tokens: dict[tuple[str, int], str] = {}

    # -- keys ---------------------------------------------------------------------------------------------

    def _keys(self, conversation_id: str) -> list[str]:
        base = f"{self.key_prefix}{{{conversation_id}}}"
        return [f"{base}:q", f"{base}:d", f"{base}:n"]

    def _ms(self, seconds: float) -> int:
        return max(1, int(seconds * 1000))

    # -- tickets ------------------------------------------------------------------------------------------

    def issue_ticket(self, conversation_id: str, lock_lifetime: float | None = None) -> int:
        """A new ticket at the end of the conversation's queue (one atomic step); its number."""
        token = secrets.token_hex(16)
        lifetime = self._ms(lock_lifetime or self.lock_lifetime)
        try:
            number = int(self._issue(keys=self._keys(conversation_id),
                                     args=[token, lifetime, max(lifetime, KEY_IDLE_S * 1000)]))
        except Exception as error:  # Rasa's callers expect a LockError when the store fails
            raise LockError(f"Error while issuing a ticket for '{conversation_id}': {error}") from error
        self._tokens[(conversation_id, number)] = token
        return number

    def look(self, conversation_id: str, ticket: int, lock_lifetime: float | None = None) -> int:
        """Renew this instance's ticket; 1 if it is now served, 0 if it waits, -1 if it is gone (expired)."""
        token = self._tokens.get((conversation_id, ticket))
        if token is None:
            return -1
        lifetime = self._ms(lock_lifetime or self.lock_lifetime)
        return int(self._look(keys=self._keys(conversation_id),
                              args=[token, lifetime, max(lifetime, KEY_IDLE_S * 1000)]))

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        """Remove this instance's ticket; a ticket of another instance (unknown token) is left alone."""
        token = self._tokens.pop((conversation_id, ticket_number), None)
        if token is None:
            logger.warning("Ticket %s of '%s' is not held here: not released.", ticket_number, conversation_id)
            return
        if not int(self._release(keys=self._keys(conversation_id), args=[token])):
            logger.warning("Ticket %s of '%s' had expired before its release.", ticket_number, conversation_id)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Release the ticket; the keys go with the last ticket (in the same atomic step)."""
        self.finish_serving(conversation_id, ticket_number)

    # -- Rasa's read-only views ---------------------------------------------------------------------------

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        """A snapshot of the queue as Rasa's TicketLock (live tickets in order), or None when there is none."""
        flat = self._snapshot(keys=self._keys(conversation_id)[:2])
        if not flat:
            return None
        tickets = deque(Ticket(int(float(flat[i + 1])), float(flat[i + 2]) / 1000.0) for i in range(0, len(flat), 3))
        return TicketLock(conversation_id, tickets)

    def save_lock(self, lock: TicketLock) -> None:
        # Writing a whole lock back is exactly the lost-update race this store exists to avoid.
        raise NotImplementedError("CourierRedisLockStore changes tickets only through its atomic scripts")

    def update_lock(self, conversation_id: str) -> None:
        """Nothing to do: every script drops expired tickets itself."""

    def delete_lock(self, conversation_id: str) -> None:
        """Remove every ticket of the conversation (administration and tests; turns never call it)."""
        deleted = self.red.delete(*self._keys(conversation_id))
        self._log_deletion(conversation_id, bool(deleted))

    # -- the lock Rasa takes around a turn ----------------------------------------------------------------

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float | None = None,
        wait_time_in_seconds: float | None = None,
    ) -> AsyncGenerator[TicketLock, None]:
        """Hold the conversation for the duration of the block: wait in FIFO order, renew while holding.

        Rasa passes its own `LOCK_LIFETIME` (60 s) and a 1 s poll; this store's `lock_lifetime` applies
        instead (the holder renews, so a short lifetime only shortens a crashed holder's hold) and waiters
        look every `poll_interval` s, backing off to 0.1 s.
        """
        lifetime = self.lock_lifetime
        held = [self.issue_ticket(conversation_id, lifetime)]  # the current ticket (a re-queue replaces it)
        renewer: asyncio.Task | None = None
        try:
            await self._wait_for_turn(conversation_id, held, lifetime)
            renewer = asyncio.create_task(self._keep_alive(conversation_id, held[0], lifetime))
            yield TicketLock(conversation_id, deque([Ticket(held[0], time.time() + lifetime)]))
        finally:
            if renewer is not None:
                renewer.cancel()
            self.cleanup(conversation_id, held[0])

    async def _wait_for_turn(self, conversation_id: str, held: list[int], lifetime: float) -> None:
        deadline = time.monotonic() + self.max_wait
        pause = self.poll_interval
        while True:
            state = self.look(conversation_id, held[0], lifetime)
            if state == 1:
                logger.debug("Acquired lock for conversation '%s' (ticket %s).", conversation_id, held[0])
                return
            if state == -1:
                # Our ticket expired while we waited (this process stalled longer than the lifetime):
                # queue again rather than run unlocked or drop the message.
                logger.warning("Ticket %s of '%s' expired while waiting: queueing again.", held[0], conversation_id)
                self._tokens.pop((conversation_id, held[0]), None)
                held[0] = self.issue_ticket(conversation_id, lifetime)
            if time.monotonic() > deadline:
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}' "
                                f"within {self.max_wait:.0f} s.")
            await asyncio.sleep(pause)
            pause = min(pause * 2, MAX_POLL_INTERVAL_S)

    async def _keep_alive(self, conversation_id: str, ticket: int, lifetime: float) -> None:
        """Renew the held ticket every third of its lifetime until the turn ends (the task is cancelled)."""
        while True:
            await asyncio.sleep(lifetime / 3)
            try:
                state = await asyncio.to_thread(self.look, conversation_id, ticket, lifetime)
            except Exception as error:  # Redis briefly away: try again at the next beat
                logger.warning("Could not renew the lock of '%s': %s", conversation_id, error)
                continue
            if state != 1:
                logger.error("The lock of '%s' expired during its turn (ticket %s): another turn may run "
                             "concurrently.", conversation_id, ticket)
                return
