"""`python -m bot.health_probe rasa|actions|web`: exit 0 when the service in this container is healthy.

For the probes of a container orchestrator (deploy/k8s, deploy/compose.yaml). Rasa's health route
(`/health/turn`, bot/rasa_health.py) sits behind the API token like the rest of its API, and a Kubernetes
httpGet probe cannot read a Secret into its URL: this command takes the token from RASA_API_TOKEN in the
container's environment, so the token never appears in a manifest or on a command line. Rasa is healthy when
it answers a turn with a loaded model; the action server and the web process when `/health` answers 200.
Standard library only: it runs every few seconds and must not load Rasa.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

from bot.rasa_health import TURN_PROBE_PATH
from bot.settings import get_settings

HEALTH_PATH = "/health"


def probe_url(service: str) -> str:
    """The loopback address of the service's health route, with Rasa's token when one is set."""
    settings = get_settings()
    if service == "rasa":
        return with_token(f"http://127.0.0.1:{settings.rasa_port}{TURN_PROBE_PATH}", settings.rasa_api_token)
    port = {"actions": settings.action_port, "web": settings.backend_port}[service]
    return f"http://127.0.0.1:{port}{HEALTH_PATH}"


def with_token(url: str, rasa_api_token: str) -> str:
    return url + ("?" + urllib.parse.urlencode({"token": rasa_api_token}) if rasa_api_token else "")


def answers(url: str, *, needs_model: bool, timeout: float) -> bool:
    """True when the health route answers 200 (and, for Rasa, names a loaded model: a 200 without a model file
    would mean nothing can answer customers). Shared by these container probes and `make run` (bot/stack.py)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:
            body = reply.read()
    except (urllib.error.URLError, OSError, ValueError):
        return False
    if not needs_model:
        return True
    try:
        return bool(json.loads(body).get("model_file"))
    except (ValueError, AttributeError):
        return False


def healthy(service: str, timeout: float = 5.0) -> bool:
    return answers(probe_url(service), needs_model=service == "rasa", timeout=timeout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.health_probe", description="Exit 0 when the service in this container is healthy, "
        "1 when not (for container probes; Rasa's token is read from RASA_API_TOKEN).")
    parser.add_argument("service", choices=("rasa", "actions", "web"))
    service = parser.parse_args(argv).service
    # Below the probes' timeoutSeconds (10), so a stuck service is a failed probe, not a hung one.
    return 0 if healthy(service, timeout=8.0) else 1


if __name__ == "__main__":
    sys.exit(main())
