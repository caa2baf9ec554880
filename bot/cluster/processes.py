"""The cluster's processes as bot/stack.py starts them: the commands of deploy/ on the cluster's ports.

The commands are the Deployments' (deploy/k8s, deploy/compose.yaml) with the port and paths of this machine;
tests/bot/cluster/test_cluster.py checks they agree. The balancer is HAProxy in the foreground (`-db`), so the
supervisor (bot/supervisor.py) sees it exit and restarts it like any other service.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.cluster.topology import HOST, Topology
from bot.rasa_health import TURN_PROBE_PATH
from bot.settings import ROOT
from bot.stack import Service

# Started and answering before the others: it migrates (and, if empty, seeds) the web database alone.
FIRST = "web-1"
BALANCER = "balancer"


def command(role: str, port: int, model: Path | None = None, endpoints: Path | None = None) -> list[str]:
    """The command of one process of a role, as deploy/ runs it (with `python` for this interpreter)."""
    if role == "rasa":
        return [sys.executable, "-m", "bot.rasa_server", "run", "--enable-api", "--interface", HOST,
                "--port", str(port), "--model", str(model), "--credentials", str(ROOT / "credentials.yml"),
                "--endpoints", str(endpoints)]
    if role == "actions":
        return [sys.executable, "-m", "bot.action_server", "run", "actions", "--actions", "actions",
                "--port", str(port)]
    if role == "web":
        return [sys.executable, "-m", "bot.web_app"]
    raise ValueError(role)


def plan(topology: Topology, model: Path, endpoints: Path, balancer_config: Path, haproxy: str,
         logs: Path) -> list[Service]:
    """Every process of the cluster, in the order the stack stops them last to first (the balancer first)."""
    services = [
        Service(web.name, command("web", web.port), web.port, "/health", logs / f"{web.name}.log", role="backend",
                env={"BACKEND_PORT": str(web.port)})
        for web in topology.instances("web")
    ]
    services += [
        Service(action.name, command("actions", action.port), action.port, "/health", logs / f"{action.name}.log",
                role="actions")
        for action in topology.instances("actions")
    ]
    services += [
        Service(rasa.name, command("rasa", rasa.port, model, endpoints), rasa.port, TURN_PROBE_PATH,
                logs / f"{rasa.name}.log", role="rasa")
        for rasa in topology.instances("rasa")
    ]
    services.append(Service(BALANCER, [haproxy, "-db", "-f", str(balancer_config)], topology.stats_port, "/health",
                            logs / "balancer.log"))
    return services
