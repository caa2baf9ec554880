"""`make cluster`: the production topology on this machine — N Rasa instances, M action servers and W web
processes on PostgreSQL, Redis and RabbitMQ, behind HAProxy — kept serving until Ctrl-C.

What it does, in order: checks the stores answer (this machine's unless DATABASE_URL, TRACKER_STORE_URL, REDIS_URL,
RABBITMQ_URL say otherwise), takes the secrets from the environment or var/cluster/secrets.env, writes Rasa's
endpoints file and the balancer's configuration into var/cluster/, starts the first web process (it migrates the
database), then the others, the action servers, the Rasa instances and HAProxy, waits until each answers, prints
the URLs, and restarts whatever stops or stops answering (bot/supervisor.py). docs/scaling.md explains the routes
and the affinity rules.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import time
from pathlib import Path

from sqlalchemy.exc import OperationalError

from bot.cluster import haproxy
from bot.cluster.environment import (
    THIS_MACHINE,
    StoreUnreachable,
    check_stores,
    cluster_environment,
    cluster_secrets,
)
from bot.cluster.processes import FIRST, plan
from bot.cluster.topology import Topology, TopologyError
from bot.database_setup import DatabaseMissing, ensure_database
from bot.production_check import DemoSecretsRefused, refuse_demo_secrets
from bot.rasa_endpoints import write_endpoints
from bot.settings import Settings, get_settings
from bot.stack import DEFAULT_MODEL, Ports, Stack, StackError, port_in_use
from bot.supervisor import Policy, Supervisor, raise_shutdown, say_with_time, serve_until_stopped

READY = "Cluster ready"


# What stops the cluster from starting, told in one line instead of a traceback.
REFUSALS = (StackError, StoreUnreachable, DemoSecretsRefused, DatabaseMissing, OperationalError,
            haproxy.BalancerConfigError)


def impacts(topology: Topology) -> dict[str, str]:
    """What customers meet while one process is down, for the supervisor's messages (by role)."""
    texts = {"balancer": "nobody reaches the assistant from outside (the public entry is down)"}
    if topology.rasa > 1:
        texts["rasa"] = ("the balancer sends its conversations to the other Rasa instances, where they go on with "
                         "their history; web chats connected to it reconnect there")
    if topology.actions > 1:
        texts["actions"] = "Rasa's action calls go to the other action servers"
    if topology.web > 1:
        texts["backend"] = "the balancer sends its requests to the other web processes"
    return texts


def find_haproxy(configured: str) -> str:
    found = shutil.which(configured) or shutil.which(configured, path="/usr/sbin:/usr/local/sbin")
    if not found:
        raise StackError(f"HAProxy ({configured}) is not installed: run `make balancer` "
                         "(apt-get install haproxy), or set HAPROXY_BIN.")
    return found


def prepare_environment(topology: Topology, var_dir: Path) -> dict[str, str]:
    """Put the production profile into this process's environment (the children inherit it); what was added."""
    values = cluster_environment(os.environ, topology.public_url)
    check_stores({name: values[name] for name in THIS_MACHINE})
    values.update(cluster_secrets(os.environ, var_dir / "secrets.env"))
    added = {name: value for name, value in values.items() if os.environ.get(name, "").strip() != value}
    os.environ.update(added)
    get_settings.cache_clear()
    return added


def banner(topology: Topology, stack: Stack, secrets_file: Path | None) -> str:
    public = get_settings().public_backend_url
    login = (f"login: agent / CONSOLE_DEMO_PASSWORD in {secrets_file}" if secrets_file
             else "login: agent / the password in CONSOLE_DEMO_PASSWORD")
    lines = [
        "",
        f"{READY}: {topology.rasa} Rasa instances, {topology.actions} action servers, {topology.web} web processes "
        "behind HAProxy, on PostgreSQL, Redis and RabbitMQ.",
        f"  Web chat        {public}/chat/",
        f"  Agent console   {public}/console/   ({login})",
        f"  REST webhook    {public}/webhooks/rest/webhook   (WeChat: {public}/webhooks/wechat/webhook)",
        f"  Balancer stats  http://127.0.0.1:{topology.stats_port}/stats",
        "  Inside (the Services of deploy/k8s): "
        f"Rasa API {topology.inside_url('rasa')} (?token=RASA_API_TOKEN), actions {topology.inside_url('actions')}, "
        f"web {topology.inside_url('web')}",
        "  Instances       " + ", ".join(f"{s.name} :{s.port}" for s in stack.services if s.role != "balancer"),
        f"  Config, logs    {stack.var_dir / 'haproxy.cfg'}, {stack.var_dir / 'logs'}",
        "",
        "A process that stops or stops answering is restarted by itself; the balancer sends its work to the others "
        "meanwhile (docs/scaling.md). Press Ctrl-C to stop everything.",
    ]
    return "\n".join(lines)


def run(topology: Topology, settings: Settings, model: Path) -> int:
    var_dir = settings.var_dir / "cluster"
    stack = Stack()
    started = time.monotonic()

    def start() -> Supervisor:
        taken = [port for port in topology.all_ports() if port_in_use(port)]
        if taken:
            raise StackError(f"Ports already in use: {', '.join(map(str, taken))} — is another cluster or `make run` "
                             "running? Choose others with CLUSTER_PORT, CLUSTER_STATS_PORT, RASA_PORT, ACTION_PORT, "
                             "BACKEND_PORT (the instances use the ports just above the last three).")
        if not model.is_file():
            raise StackError(f"No trained model at {model}: run `make train` first.")
        program = find_haproxy(settings.haproxy_bin)
        added = prepare_environment(topology, var_dir)
        # The settings again, now with the production profile just put into the environment.
        profile = get_settings()
        refuse_demo_secrets(os.environ)
        # Created here, once: several processes creating one database at the same moment may fail on PostgreSQL.
        for variable in ("DATABASE_URL", "TRACKER_STORE_URL", "OUTBOX_DATABASE_URL"):
            if os.environ.get(variable, "").strip():
                ensure_database(os.environ[variable], variable)
        endpoints = write_endpoints(var_dir / "rasa-endpoints.yml", f"{topology.inside_url('actions')}/webhook",
                                    profile)
        config = haproxy.write(var_dir / "haproxy.cfg", haproxy.render(topology, profile))
        haproxy.check(program, config, dict(os.environ))
        stack.var_dir, stack.rasa_api_token = var_dir, profile.rasa_api_token
        stack.ports = Ports(backend=topology.backend_port, rasa=topology.rasa_port, actions=topology.action_port)
        print(f"Starting {topology.rasa} Rasa instances, {topology.actions} action servers, {topology.web} web "
              "processes and HAProxy (loading the model takes a minute or two)…", flush=True)
        stack.launch(plan(topology, model, endpoints, config, program, var_dir / "logs"),
                     timeout=profile.supervisor_start_timeout_s + 180, first={FIRST})
        # Ready means reachable through the balancer: its own health checks must have taken every instance in.
        deadline = time.monotonic() + 60
        while (waiting := haproxy.servers_not_up(topology.stats_port)) and time.monotonic() < deadline:
            time.sleep(0.5)
        if waiting:
            raise StackError(f"the balancer does not send traffic to {', '.join(waiting)} (see "
                             f"http://127.0.0.1:{topology.stats_port}/stats and {var_dir / 'logs' / 'balancer.log'})")
        print(f"Ready in {time.monotonic() - started:.0f} s.")
        made = var_dir / "secrets.env" if "CONSOLE_DEMO_PASSWORD" in added else None
        print(banner(topology, stack, made), flush=True)
        return Supervisor(stack, Policy.from_settings(profile), say=say_with_time, impacts=impacts(topology))

    return serve_until_stopped(stack, start, refused=REFUSALS,
                               explain=lambda error: f"The cluster did not start: {error}",
                               stopped="All cluster processes stopped.")


def main(argv: list[str] | None = None) -> int:
    settings = get_settings()
    parser = argparse.ArgumentParser(
        prog="python -m bot.cluster", description=__doc__.split("\n\n")[0].replace("\n", " "),
        epilog="Ports, counts and stores come from the environment as well (README, docs/scaling.md).")
    parser.add_argument("--rasa", type=int, help=f"Rasa instances (CLUSTER_RASA_INSTANCES: "
                                                  f"{settings.cluster_rasa_instances})")
    parser.add_argument("--actions", type=int, help=f"action servers (CLUSTER_ACTION_SERVERS: "
                                                     f"{settings.cluster_action_servers})")
    parser.add_argument("--web", type=int, help=f"web processes (CLUSTER_WEB_PROCESSES: "
                                                 f"{settings.cluster_web_processes})")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="trained model (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        topology = Topology.from_settings(settings, rasa=args.rasa, actions=args.actions, web=args.web)
    except TopologyError as error:
        parser.error(str(error))
    signal.signal(signal.SIGINT, raise_shutdown)
    signal.signal(signal.SIGTERM, raise_shutdown)
    return run(topology, settings, args.model)


if __name__ == "__main__":
    sys.exit(main())
