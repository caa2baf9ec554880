"""The balancer's configuration: haproxy.cfg.in (next to this file) filled in for a topology.

Rendered into var/cluster/haproxy.cfg at every start (mode 0600, replaced in one step) and checked with
`haproxy -c` before the balancer starts, so a broken template is a clear message rather than a crash loop.
"""

from __future__ import annotations

import csv
import io
import string
import subprocess
import urllib.request
from pathlib import Path

from bot.cluster.topology import HOST, Instance, Topology
from bot.private_files import write_private
from bot.settings import Settings

TEMPLATE = Path(__file__).with_name("haproxy.cfg.in")
# The cookie that keeps a browser's socket.io session on one Rasa instance (as the Ingress' courier_rasa).
AFFINITY_COOKIE = "courier_rasa"


class _Template(string.Template):
    # HAProxy's own ${NAME} is its environment expansion (the API token): the template's placeholders are @{name}.
    delimiter = "@"


class BalancerConfigError(RuntimeError):
    """haproxy refused the rendered configuration; the message has its words."""


def render(topology: Topology, settings: Settings) -> str:
    rasa = topology.instances("rasa")
    return _Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        bind=topology.bind, public_port=topology.public_port, stats_port=topology.stats_port,
        rasa_port=topology.rasa_port, action_port=topology.action_port, backend_port=topology.backend_port,
        rasa_max_body=settings.rasa_max_request_bytes, web_max_body=settings.max_request_bytes,
        # One health check per instance (rasa_channels'); the other Rasa backends follow its verdict.
        rasa_channel_servers=_servers(rasa, "check"),
        rasa_socketio_servers=_servers(rasa, "track rasa_channels/{name} cookie {name}"),
        rasa_api_servers=_servers(rasa, "track rasa_channels/{name}"),
        action_servers=_servers(topology.instances("actions"), "check"),
        web_servers=_servers(topology.instances("web"), "check"),
    )


def _servers(instances: list[Instance], options: str) -> str:
    return "\n".join(f"    server {i.name} {HOST}:{i.port} {options.format(name=i.name)}" for i in instances)


def write(path: Path, text: str) -> Path:
    return write_private(path, text)


def check(haproxy: str, path: Path, env: dict[str, str]) -> None:
    """Raise BalancerConfigError unless `haproxy -c` accepts the file (with the environment it will run with)."""
    result = subprocess.run([haproxy, "-c", "-f", str(path)], env=env, capture_output=True, text=True,
                            timeout=30)
    if result.returncode != 0:
        raise BalancerConfigError(f"haproxy refused {path}:\n{(result.stderr or result.stdout).strip()}")


def servers_not_up(stats_port: int, timeout: float = 3.0) -> list[str]:
    """The balancer's servers it does not (yet) send traffic to, as backend/server, from its stats CSV; every one
    when the stats page does not answer. A started instance counts only after its health checks pass here too."""
    try:
        with urllib.request.urlopen(f"http://{HOST}:{stats_port}/stats;csv", timeout=timeout) as reply:
            rows = list(csv.reader(io.StringIO(reply.read().decode("utf-8", "replace").lstrip("# "))))
    except (OSError, ValueError):
        return ["(the balancer's stats page does not answer)"]
    header = rows[0]
    name, server, status = header.index("pxname"), header.index("svname"), header.index("status")
    return [f"{row[name]}/{row[server]}" for row in rows[1:]
            if len(row) > status and row[server] not in ("FRONTEND", "BACKEND") and not row[status].startswith("UP")]
