"""A cluster started as a child process on stores of its own: what the cluster's end-to-end test
(tests/e2e/test_cluster.py) and its benchmark (bot/bench/cluster.py) run.

`python -m bot.cluster` in its own process group, on ports nobody listens on, with a web and a tracker database
on this machine's PostgreSQL and a RabbitMQ queue made for this start and removed when it ends, so runs never see
each other's conversations or tickets. None of the caller's secrets or store URLs reaches it: the cluster makes its
secrets as on a first start, into its own var dir.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bot.cluster.__main__ import READY
from bot.cluster.environment import THIS_MACHINE
from bot.cluster.topology import Topology, free_topology
from bot.production_check import ALL as SECRET_VARIABLES
from bot.settings import ROOT

# The PostgreSQL server the databases are made on (the database of the URL is replaced).
POSTGRES_SERVER = THIS_MACHINE["DATABASE_URL"].rsplit("/", 1)[0]
# The caller's own settings that would make the child anything but a fresh production cluster.
NOT_INHERITED = (*SECRET_VARIABLES, *THIS_MACHINE, "OUTBOX_DATABASE_URL", "PUBLIC_BASE_URL", "CHAT_RASA_URL",
                 "CORS_ORIGINS")


class ClusterDidNotStart(RuntimeError):
    """The child exited or never said it was ready; the message ends with its last output."""


@dataclass
class ChildCluster:
    topology: Topology
    process: subprocess.Popen
    var_dir: Path
    databases: tuple[str, str]  # the web database, the tracker store's
    queue: str
    output: list[str] = field(default_factory=list)
    ready_s: float = 0.0

    @property
    def public(self) -> str:
        return f"http://127.0.0.1:{self.topology.public_port}"

    @property
    def token(self) -> str:
        return self._secret("RASA_API_TOKEN")

    @property
    def backend_url(self) -> str:
        return self.topology.inside_url("web")

    @property
    def api_key(self) -> str:
        return self._secret("BACKEND_API_KEY")

    @property
    def tracker_database_url(self) -> str:
        return f"{POSTGRES_SERVER}/{self.databases[1]}"

    def _secret(self, name: str) -> str:
        lines = (self.var_dir / "cluster" / "secrets.env").read_text(encoding="utf-8").splitlines()
        return next(line.split("=", 1)[1] for line in lines if line.startswith(f"{name}="))

    def rest_turn(self, sender: str, text: str, metadata: dict | None = None) -> list[dict]:
        """One customer message through the public entry; the bot's replies."""
        body = {"sender": sender, "message": text, **({"metadata": metadata} if metadata else {})}
        reply = requests.post(f"{self.public}/webhooks/rest/webhook", json=body, timeout=180)
        reply.raise_for_status()
        return reply.json()

    def events(self, sender: str) -> list[dict]:
        """Every event of one conversation, from Rasa's HTTP API at the inside address."""
        reply = requests.get(f"{self.topology.inside_url('rasa')}/conversations/{sender}/tracker",
                             params={"token": self.token, "include_events": "ALL"}, timeout=60)
        reply.raise_for_status()
        return reply.json()["events"]

    def said(self) -> str:
        return "\n".join(self.output)

    def stop(self, grace_s: float = 60) -> int:
        """SIGTERM (the cluster stops its processes itself), SIGKILL of the group after `grace_s`; the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(grace_s)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        return self.process.returncode


def environment(topology: Topology, var_dir: Path, databases: tuple[str, str], queue: str,
                extra: Mapping[str, str]) -> dict[str, str]:
    """The child's environment: the caller's without its secrets and stores, and the cluster's ports and stores."""
    env = {name: value for name, value in os.environ.items() if name not in NOT_INHERITED}
    env.update({
        "COURIER_VAR_DIR": str(var_dir), "PYTHONUNBUFFERED": "1",
        "CLUSTER_PORT": str(topology.public_port), "CLUSTER_STATS_PORT": str(topology.stats_port),
        "RASA_PORT": str(topology.rasa_port), "ACTION_PORT": str(topology.action_port),
        "BACKEND_PORT": str(topology.backend_port),
        "DATABASE_URL": f"{POSTGRES_SERVER}/{databases[0]}", "TRACKER_STORE_URL": f"{POSTGRES_SERVER}/{databases[1]}",
        "REDIS_URL": THIS_MACHINE["REDIS_URL"], "RABBITMQ_URL": THIS_MACHINE["RABBITMQ_URL"],
        "RABBITMQ_QUEUE": queue,
        # Several models load at once next to whatever else shares the machine's cores.
        "SUPERVISOR_START_TIMEOUT_S": "900",
    })
    env.update(extra)
    return env


@contextmanager
def running_cluster(rasa: int, actions: int, web: int, var_dir: Path, model: Path,
                    extra_env: Mapping[str, str] | None = None, ready_within_s: float = 1200) -> Iterator[ChildCluster]:
    """A cluster of this shape, ready behind its balancer; stopped, its databases and queue removed, afterwards.

    Raises ClusterDidNotStart when it exits or is not ready within `ready_within_s`.
    """
    run = uuid.uuid4().hex[:8]
    databases = (f"courier_cluster_{run}", f"courier_cluster_{run}_rasa")
    queue = f"courier_cluster_{run}"
    topology = free_topology(rasa, actions, web)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cluster", "--rasa", str(rasa), "--actions", str(actions), "--web", str(web),
         "--model", str(model)],
        cwd=ROOT, env=environment(topology, var_dir, databases, queue, extra_env or {}),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    cluster = ChildCluster(topology, process, var_dir, databases, queue)
    ready = threading.Event()
    threading.Thread(target=_read_output, args=(process, cluster.output, ready), daemon=True).start()
    try:
        started = time.monotonic()
        ready.wait(ready_within_s)
        if process.poll() is not None or not any(line.startswith(READY) for line in cluster.output):
            raise ClusterDidNotStart(f"The cluster did not start:\n{cluster.said()[-4000:]}")
        cluster.ready_s = time.monotonic() - started
        yield cluster
    finally:
        cluster.stop()
        remove_stores(databases, queue)


def _read_output(process: subprocess.Popen, into: list[str], ready: threading.Event) -> None:
    for line in process.stdout:
        into.append(line.rstrip())
        if line.startswith(READY):
            ready.set()
    ready.set()


def remove_stores(databases: tuple[str, ...], queue: str) -> None:
    """Drop the databases (whoever is still connected) and delete the queue, if they exist."""
    import psycopg2

    admin = psycopg2.connect(f"{POSTGRES_SERVER}/postgres")
    admin.autocommit = True
    try:
        for database in databases:
            admin.cursor().execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        admin.close()
    delete_queue(queue)


def delete_queue(queue: str, url: str = THIS_MACHINE["RABBITMQ_URL"]) -> None:
    """Delete a RabbitMQ queue with whatever it holds (declared first, so a queue never made is no error)."""
    import aio_pika

    async def delete() -> None:
        connection = await aio_pika.connect(url)
        try:
            channel = await connection.channel()
            declared = await channel.declare_queue(queue, durable=True)
            await declared.delete(if_unused=False, if_empty=False)
        finally:
            await connection.close()

    asyncio.run(delete())

