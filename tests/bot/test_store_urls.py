"""Production URLs keep everything (issue 14): what an operator writes in TRACKER_STORE_URL, DATABASE_URL,
REDIS_URL and RABBITMQ_URL reaches PostgreSQL, Redis and RabbitMQ whole, and no password is written to disk.

The stores are built the way Rasa builds them: the endpoints file is written (bot/rasa_endpoints.py), the
variables are set in the environment, and Rasa's own reader expands the file's `${…}` references. Real services
on this machine where they can prove something (the local PostgreSQL has no TLS: `sslmode=require` failing with
its "does not support SSL" answer shows the option arrived); TLS connections to Redis and RabbitMQ cannot be made
here, so for `rediss://` and `amqps://` the configuration the clients receive is checked.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import shutil
import stat
import subprocess
import sys
import uuid

import psycopg2
import pytest
import redis
from rasa.core.brokers.broker import EventBroker
from rasa.core.lock_store import LockStore
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import ConnectionException, RasaException
from rasa.utils.endpoints import EndpointConfig, read_endpoint_config
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from bot.database_setup import DatabaseMissing, ensure_database
from bot.event_broker import UrlPikaEventBroker
from bot.rasa_endpoints import StoreUrlError, write_endpoints
from bot.settings import ROOT, Settings
from tests.support import require_service

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
VARIABLES = {"tracker_store_url": "TRACKER_STORE_URL", "redis_url": "REDIS_URL", "rabbitmq_url": "RABBITMQ_URL"}
KINDS = {"tracker_store_url": "tracker_store", "redis_url": "lock_store", "rabbitmq_url": "event_broker"}


def _settings(**urls: str) -> Settings:
    return dataclasses.replace(Settings(), **{"tracker_store_url": "", "redis_url": "", "rabbitmq_url": "", **urls})


def _rasa_reads(tmp_path, monkeypatch, **urls: str) -> dict[str, EndpointConfig]:
    """Write the endpoints file for these URLs, put them in the environment, read the file as Rasa does."""
    path = write_endpoints(tmp_path / f"endpoints-{uuid.uuid4().hex[:6]}.yml", None, _settings(**urls))
    for field, url in urls.items():
        monkeypatch.setenv(VARIABLES[field], url)
    return {KINDS[field]: read_endpoint_config(str(path), KINDS[field]) for field in urls}


# -- the endpoints file ---------------------------------------------------------------------------------------

SECRET_URLS = {
    "tracker_store_url": "postgresql://bot:pg%40Secret1@db.internal:5433/rasa?sslmode=verify-full&sslrootcert=/ca.pem",
    "redis_url": "rediss://courier:redisSecret2@cache.internal:6380/2?ssl_cert_reqs=required",
    "rabbitmq_url": "amqps://mq-user:mqSecret3@mq.internal:5671/courier?heartbeat=30",
}


def test_endpoints_file_names_the_variables_not_the_secrets(tmp_path):
    path = write_endpoints(tmp_path / "rasa-endpoints.yml", None, _settings(**SECRET_URLS))
    written = path.read_text(encoding="utf-8")
    for secret in ("pg%40Secret1", "pg@Secret1", "redisSecret2", "mqSecret3", "internal"):
        assert secret not in written
    for variable in VARIABLES.values():
        assert "${" + variable + "}" in written
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["rasa-endpoints.yml"]  # no temporary file left behind


def test_an_existing_endpoints_file_becomes_private_too(tmp_path):
    path = tmp_path / "rasa-endpoints.yml"
    path.write_text("old", encoding="utf-8")
    path.chmod(0o644)
    write_endpoints(path, None, _settings(**SECRET_URLS))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_rasa_expands_each_url_whole_in_its_own_process(tmp_path, monkeypatch):
    configs = _rasa_reads(tmp_path, monkeypatch, **SECRET_URLS)
    assert configs["tracker_store"].url == SECRET_URLS["tracker_store_url"]
    assert configs["tracker_store"].kwargs["dialect"] == "postgresql"
    assert configs["lock_store"].url == SECRET_URLS["redis_url"]
    assert configs["lock_store"].type == "bot.lock_store.CourierRedisLockStore"
    assert configs["event_broker"].url == SECRET_URLS["rabbitmq_url"]
    assert configs["event_broker"].kwargs["queues"] == ["rasa_events"]


def test_rasa_without_the_variable_says_which_one_to_set(tmp_path, monkeypatch):
    path = write_endpoints(tmp_path / "e.yml", None, _settings(redis_url="redis://127.0.0.1:6379/0"))
    monkeypatch.delenv("REDIS_URL", raising=False)
    with pytest.raises(RasaException, match="REDIS_URL"):
        read_endpoint_config(str(path), "lock_store")


@pytest.mark.parametrize("field,url", [("redis_url", "127.0.0.1:6379"), ("redis_url", "http://cache:6379"),
                                       ("rabbitmq_url", "mq:5672"), ("rabbitmq_url", "http://mq/"),
                                       ("tracker_store_url", "db.internal/rasa")])
def test_a_url_that_cannot_work_is_refused_naming_the_variable_not_the_value(tmp_path, field, url):
    with pytest.raises(StoreUrlError, match=VARIABLES[field]) as refused:
        write_endpoints(tmp_path / "e.yml", None, _settings(**{field: url}))
    assert url not in str(refused.value)


# -- PostgreSQL: options and missing databases ---------------------------------------------------------------

@pytest.fixture()
def pg_admin():
    require_service("PostgreSQL", "127.0.0.1", 5432)
    admin = psycopg2.connect(PG_ADMIN)
    admin.autocommit = True
    names: list[str] = []
    yield admin, names
    for name in names:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def _exists(admin, name: str) -> bool:
    cursor = admin.cursor()
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
    return cursor.fetchone() is not None


def _roundtrip(store: TrackerStore, sender: str) -> str:
    async def run() -> str:
        await store.save(DialogueStateTracker.from_events(sender, [ActionExecuted("action_listen"), UserUttered("查件")]))
        return (await store.retrieve(sender)).latest_message.text

    return asyncio.run(run())


@pytest.mark.parametrize("sslmode", ["disable", "prefer"])
def test_tracker_store_keeps_sslmode_and_creates_a_missing_database(pg_admin, tmp_path, monkeypatch, sslmode):
    admin, names = pg_admin
    name = f"courier_urls_{uuid.uuid4().hex[:8]}"
    names.append(name)
    url = f"postgresql://postgres@127.0.0.1:5432/{name}?sslmode={sslmode}&application_name=courier-rasa"
    config = _rasa_reads(tmp_path, monkeypatch, tracker_store_url=url)["tracker_store"]
    store = TrackerStore.create(config, Domain.empty())
    assert _exists(admin, name)  # it did not exist: the postgres role may create it, so it was
    assert store.engine.url.query == {"sslmode": sslmode, "application_name": "courier-rasa"}
    assert _roundtrip(store, "wx:ssl") == "查件"
    with store.engine.connect() as connection:  # the server saw the options: its view of this session
        seen = connection.execute(text("SELECT application_name, ssl FROM pg_stat_activity JOIN pg_stat_ssl "
                                       "USING (pid) WHERE pid = pg_backend_pid()")).one()
    assert tuple(seen) == ("courier-rasa", False)
    store.engine.dispose()


def test_sslmode_require_reaches_the_server(pg_admin, tmp_path, monkeypatch):
    """The local server has no TLS: its refusal proves the option was passed, for every user of a database URL."""
    url = "postgresql://postgres@127.0.0.1:5432/postgres?sslmode=require"
    config = _rasa_reads(tmp_path, monkeypatch, tracker_store_url=url)["tracker_store"]
    with pytest.raises(ConnectionException, match="does not support SSL"):  # Rasa's wrapper of the error
        TrackerStore.create(config, Domain.empty())
    from bot.backend.db import make_engine
    from bot.outbox.store import Outbox

    with pytest.raises(OperationalError, match="does not support SSL"), make_engine(url).connect():
        pass
    with pytest.raises(OperationalError, match="does not support SSL"):
        Outbox(url)


@pytest.fixture()
def role_without_createdb(pg_admin):
    admin, names = pg_admin
    role = f"courier_nocreate_{uuid.uuid4().hex[:8]}"
    admin.cursor().execute(f'CREATE ROLE "{role}" LOGIN NOCREATEDB')
    yield admin, names, role
    admin.cursor().execute(f'DROP ROLE IF EXISTS "{role}"')


def test_a_missing_database_the_role_may_not_create_names_the_command(role_without_createdb):
    admin, names, role = role_without_createdb
    name = f"courier_urls_{uuid.uuid4().hex[:8]}"
    with pytest.raises(DatabaseMissing) as missing:
        ensure_database(f"postgresql://{role}@127.0.0.1:5432/{name}?sslmode=disable", "DATABASE_URL")
    message = str(missing.value)
    assert f"createdb -h 127.0.0.1 -p 5432 -U postgres -O {role} {name}" in message
    assert f'CREATE DATABASE "{name}" OWNER "{role}"' in message and "DATABASE_URL" in message
    assert not _exists(admin, name)


def test_ensure_database_leaves_an_existing_one_and_other_errors_alone(pg_admin):
    assert ensure_database(PG_ADMIN, "DATABASE_URL") is False
    assert ensure_database("sqlite:///nowhere/x.db", "DATABASE_URL") is False
    with pytest.raises(OperationalError):  # wrong port: unreachable, not "missing"
        ensure_database("postgresql://postgres@127.0.0.1:1/courier", "DATABASE_URL")


def test_the_backend_refuses_to_start_on_a_database_it_cannot_create(role_without_createdb, tmp_path):
    _, _, role = role_without_createdb
    name = f"courier_urls_{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": f"postgresql://{role}@127.0.0.1:5432/{name}", "COURIER_VAR_DIR": str(tmp_path),
           "BACKEND_API_KEY": uuid.uuid4().hex, "POD_LINK_SECRET": uuid.uuid4().hex,
           "CONSOLE_DEMO_PASSWORD": uuid.uuid4().hex, "RASA_API_TOKEN": uuid.uuid4().hex,
           "CHAT_SESSION_SECRET": uuid.uuid4().hex, "BACKEND_PORT": "1"}
    done = subprocess.run([sys.executable, "-m", "bot.web_app"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode != 0
    assert "The backend did not start" in done.stderr and f"-O {role} {name}" in done.stderr


# -- Redis: ACL users and TLS ----------------------------------------------------------------------------------

@pytest.fixture()
def acl_user():
    require_service("Redis", "127.0.0.1", 6379)
    admin = redis.Redis(host="127.0.0.1", port=6379)
    user, password = f"courier_acl_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    admin.execute_command("ACL", "SETUSER", user, "on", f">{password}", "~*", "&*", "+@all")
    yield user, password
    admin.execute_command("ACL", "DELUSER", user)
    admin.close()


def test_every_redis_user_logs_in_as_the_urls_acl_user(acl_user, tmp_path, monkeypatch):
    user, password = acl_user
    url = f"redis://{user}:{password}@127.0.0.1:6379/3"
    store = LockStore.create(_rasa_reads(tmp_path, monkeypatch, redis_url=url)["lock_store"])
    assert store.red.acl_whoami() == user
    conversation = f"acl-{uuid.uuid4().hex}"
    ticket = store.issue_ticket(conversation, lock_lifetime=10)
    assert not store.get_lock(conversation).is_locked(ticket)  # served
    assert redis.Redis(port=6379, db=3).exists(store._keys(conversation)[0])  # in the URL's database
    store.cleanup(conversation, ticket)

    from socketio import AsyncRedisManager

    from bot.channels.kv import make_store

    async def channels() -> tuple[str, str, str | None]:
        kv = make_store("wechat-dedupe", url)
        await kv.set("m1", "seen", 5)
        manager = AsyncRedisManager(url, channel="courier-webchat")
        manager._redis_connect()
        who = (await kv._redis.acl_whoami(), await manager.redis.acl_whoami(), await kv.get("m1"))
        await kv.delete("m1")
        return who

    assert asyncio.run(channels()) == (user, user, "seen")


def test_a_wrong_acl_password_is_refused(acl_user):
    user, _ = acl_user
    store = LockStore.create(EndpointConfig.from_dict({"type": "bot.lock_store.CourierRedisLockStore",
                                                       "url": f"redis://{user}:wrong@127.0.0.1:6379/0"}))
    with pytest.raises(redis.AuthenticationError):
        store.red.ping()


def test_rediss_url_gives_every_redis_client_tls_and_its_options(tmp_path, monkeypatch):
    """No TLS Redis here: the clients' configuration (they connect lazily, so nothing is dialled)."""
    url = "rediss://courier:p%40ss@127.0.0.1:6380/2?ssl_cert_reqs=required&ssl_ca_certs=/etc/ssl/certs/ca.pem"
    store = LockStore.create(_rasa_reads(tmp_path, monkeypatch, redis_url=url)["lock_store"])
    pool = store.red.connection_pool
    assert pool.connection_class is redis.SSLConnection
    assert {key: pool.connection_kwargs[key] for key in ("host", "port", "db", "username", "password",
                                                         "ssl_cert_reqs", "ssl_ca_certs")} == {
        "host": "127.0.0.1", "port": 6380, "db": 2, "username": "courier", "password": "p@ss",
        "ssl_cert_reqs": "required", "ssl_ca_certs": "/etc/ssl/certs/ca.pem"}

    import redis.asyncio.connection as async_connection
    from socketio import AsyncRedisManager

    from bot.channels.kv import make_store

    async def clients() -> list[type]:
        manager = AsyncRedisManager(url)
        manager._redis_connect()
        kv = make_store("wechat-token", url)
        return [kv._redis.connection_pool.connection_class, manager.redis.connection_pool.connection_class]

    assert asyncio.run(clients()) == [async_connection.SSLConnection] * 2


# -- RabbitMQ: virtual hosts and TLS ------------------------------------------------------------------------

def _rabbitmqctl(*arguments: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *arguments], check=True, capture_output=True, timeout=60)


@pytest.fixture()
def vhost():
    require_service("RabbitMQ", "127.0.0.1", 5672)
    if not shutil.which("rabbitmqctl"):
        if os.environ.get("CI"):
            pytest.fail("rabbitmqctl is needed to make a virtual host (CI requires it)")
        pytest.skip("rabbitmqctl is needed to make a virtual host")
    name = f"courier_test_{uuid.uuid4().hex[:8]}"
    _rabbitmqctl("add_vhost", name)
    _rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    yield name
    _rabbitmqctl("delete_vhost", name)


def test_event_broker_publishes_into_the_urls_virtual_host(vhost, tmp_path, monkeypatch):
    import aio_pika

    url = f"amqp://guest:guest@127.0.0.1:5672/{vhost}?heartbeat=30"
    config = _rasa_reads(tmp_path, monkeypatch, rabbitmq_url=url)["event_broker"]
    queue = config.kwargs["queues"][0]

    async def publish_and_read() -> tuple[bytes, bool]:
        broker = await EventBroker.create(config)
        assert isinstance(broker, UrlPikaEventBroker) and broker.is_ready() and broker.host == "127.0.0.1"
        broker.publish({"event": "user", "text": "你好", "sender_id": "web:vhost"})
        await asyncio.sleep(1.0)
        await broker.close()
        connection = await aio_pika.connect(url)
        channel = await connection.channel()
        message = await (await channel.declare_queue(queue, durable=True)).get(timeout=5, fail=False)
        await connection.close()
        default = await aio_pika.connect("amqp://guest:guest@127.0.0.1:5672/")
        try:  # the default virtual host never got this queue (passive declare: it must exist)
            await (await default.channel()).declare_queue(queue, passive=True)
            in_default = True
        except aio_pika.exceptions.ChannelClosed:
            in_default = False
        await default.close()
        assert message is not None
        return message.body, in_default

    body, in_default = asyncio.run(publish_and_read())
    assert json.loads(body)["sender_id"] == "web:vhost" and not in_default


def test_amqps_url_reaches_aio_pika_whole(tmp_path, monkeypatch):
    """No TLS RabbitMQ here: what Rasa's broker hands aio-pika, and how aiormq reads it."""
    import aiormq

    url = "amqps://mq-user:s%40cret@127.0.0.1/courier?heartbeat=30&cafile=/etc/ssl/certs/ca.pem"
    config = _rasa_reads(tmp_path, monkeypatch, rabbitmq_url=url)["event_broker"]

    async def parsed() -> tuple[UrlPikaEventBroker, aiormq.Connection]:
        broker = UrlPikaEventBroker(config.url, **config.kwargs)
        return broker, aiormq.Connection(broker._configure_url())

    broker, connection = asyncio.run(parsed())
    assert (broker.host, broker.port, broker.username, broker.password) == ("127.0.0.1", 5671, "mq-user", "s@cret")
    assert connection.url.scheme == "amqps" and connection.url.port == 5671 and connection.vhost == "courier"
    assert connection.url.password == "s@cret" and connection.ssl_certs.cafile == "/etc/ssl/certs/ca.pem"
    assert connection.url.query["heartbeat"] == "30"
