"""How many processes of each role the cluster runs and where each listens.

The balancer takes the addresses of deploy/k8s's Services (RASA_PORT, ACTION_PORT, BACKEND_PORT: 5005, 5055, 8000
by default) and of its Ingress (CLUSTER_PORT, 8080 like compose's balancer); the instances listen on the ports just
above their Service's (rasa-1 on 5006, rasa-2 on 5007, actions-1 on 5056, web-1 on 8001…), on loopback only.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

from bot.settings import Settings

HOST = "127.0.0.1"
# Rasa's instances must not run into the action servers' Service port (5005 + n < 5055).
MAX_PER_ROLE = 40


class TopologyError(ValueError):
    """A topology that cannot run (a count out of range); the message says which."""


@dataclass(frozen=True)
class Instance:
    name: str  # rasa-1, actions-2, web-1
    role: str  # rasa, actions, web
    port: int

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


@dataclass(frozen=True)
class Topology:
    rasa: int = 2
    actions: int = 2
    web: int = 2
    public_port: int = 8080  # the public entry (deploy/k8s's Ingress, compose's balancer)
    bind: str = HOST  # where the public entry listens
    stats_port: int = 8404  # the balancer's stats page and its own health route
    rasa_port: int = 5005  # the inside address of the Rasa instances (the courier-rasa Service)
    action_port: int = 5055  # … of the action servers (courier-actions)
    backend_port: int = 8000  # … of the web processes (courier-web)

    def __post_init__(self) -> None:
        for role in ("rasa", "actions", "web"):
            count = getattr(self, role)
            if not 1 <= count <= MAX_PER_ROLE:
                raise TopologyError(f"the number of {role} processes must be 1 to {MAX_PER_ROLE}, not {count}")

    @classmethod
    def from_settings(cls, settings: Settings, rasa: int | None = None, actions: int | None = None,
                      web: int | None = None) -> Topology:
        return cls(rasa=settings.cluster_rasa_instances if rasa is None else rasa,
                   actions=settings.cluster_action_servers if actions is None else actions,
                   web=settings.cluster_web_processes if web is None else web,
                   public_port=settings.cluster_port, bind=settings.cluster_bind,
                   stats_port=settings.cluster_stats_port, rasa_port=settings.rasa_port,
                   action_port=settings.action_port, backend_port=settings.backend_port)

    def instances(self, role: str) -> list[Instance]:
        count, base = {"rasa": (self.rasa, self.rasa_port), "actions": (self.actions, self.action_port),
                       "web": (self.web, self.backend_port)}[role]
        return [Instance(f"{role}-{n}", role, base + n) for n in range(1, count + 1)]

    def all_ports(self) -> list[int]:
        """Every port the cluster listens on (balancer and instances)."""
        instances = [i.port for role in ("rasa", "actions", "web") for i in self.instances(role)]
        return [self.public_port, self.stats_port, self.rasa_port, self.action_port, self.backend_port, *instances]

    @property
    def public_url(self) -> str:
        host = "localhost" if self.bind in (HOST, "0.0.0.0") else self.bind
        return f"http://{host}:{self.public_port}"

    def inside_port(self, role: str) -> int:
        return {"rasa": self.rasa_port, "actions": self.action_port, "web": self.backend_port}[role]

    def inside_url(self, role: str) -> str:
        """The balancer's inside address of a role (what RASA_URL, BACKEND_URL and the action endpoint name)."""
        return f"http://{HOST}:{self.inside_port(role)}"


def free_topology(rasa: int, actions: int, web: int) -> Topology:
    """A topology on ports nobody listens on now (tests next to `make run` / `make cluster`): each Service port
    has its instances' ports free just above it."""
    service_ports = [_free_block(count + 1) for count in (rasa, actions, web)]
    public, stats = _free_block(1), _free_block(1)
    return Topology(rasa=rasa, actions=actions, web=web, public_port=public, stats_port=stats,
                    rasa_port=service_ports[0], action_port=service_ports[1], backend_port=service_ports[2])


_handed_out: set[int] = set()


def _free_block(length: int) -> int:
    """The first port of `length` consecutive ports that are free now and were not handed out before."""
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind((HOST, 0))
            start = probe.getsockname()[1]
        block = range(start, start + length)
        if block[-1] < 65535 and not _handed_out.intersection(block) and all(_free(port) for port in block):
            _handed_out.update(block)
            return start
    raise TopologyError(f"no {length} consecutive free ports found")


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True
