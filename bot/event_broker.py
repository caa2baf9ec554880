"""Rasa's RabbitMQ event broker given one whole AMQP URL, which it connects with as written.

Rasa 3.6's `PikaEventBroker` takes host, port, username and password separately and rebuilds a URL from them:
a password with a `@` or `%` is mangled, and it logs its `host` — the whole URL, password included, if one is
given there. Here the endpoints file names RABBITMQ_URL (`url: ${RABBITMQ_URL}`, expanded by Rasa in its own
process) and aio-pika connects with exactly that URL: `amqps://` (TLS, with the URL's `cafile`, `certfile`,
`keyfile` or `no_verify_ssl` options), the virtual host (`/courier`; `%2F` or none is the default `/`) and
options such as `heartbeat` are kept. Only the host is logged.
"""

from __future__ import annotations

from typing import Any

from rasa.core.brokers.pika import PikaEventBroker
from yarl import URL

AMQP_SCHEMES = ("amqp", "amqps")


def amqp_url(url: str) -> URL:
    """The URL as aio-pika will use it; ValueError for anything but amqp:// or amqps://."""
    parsed = URL(url)
    if parsed.scheme not in AMQP_SCHEMES or not parsed.host:
        raise ValueError("RABBITMQ_URL must look like amqp[s]://user:password@host[:port][/vhost][?options]")
    return parsed


class UrlPikaEventBroker(PikaEventBroker):
    """PikaEventBroker whose endpoint `url` is a whole AMQP URL (endpoint config: `url`, `queues`, …)."""

    def __init__(self, host: str, username: str | None = None, password: str | None = None,
                 port: int | str | None = None, **kwargs: Any) -> None:
        self.amqp_url = amqp_url(host)
        super().__init__(self.amqp_url.host, username or self.amqp_url.user or "guest",
                         password or self.amqp_url.password or "guest",
                         port or self.amqp_url.port or (5671 if self.amqp_url.scheme == "amqps" else 5672),
                         **kwargs)

    def _configure_url(self) -> str:
        # aio-pika ignores host, port, login and ssl arguments when given a URL: the URL is the configuration.
        return str(self.amqp_url)
