"""The cluster's HAProxy configuration at work, with small stand-in servers instead of Rasa, the action server and
the web process (a few seconds, no model): affinity by sender and openid, socket.io stickiness by cookie, the
public routes, the overwritten client address, the body limit, the health check with the API token from the
environment, and a dead instance's conversations going to the other one without a failed request."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from bot.cluster import haproxy
from bot.cluster.topology import HOST, Topology, free_topology
from bot.settings import Settings

TOKEN = "cluster-test-token-" + "x" * 20


class StandIn:
    """An HTTP server answering every request with its name, recording what it was asked."""

    def __init__(self, name: str, port: int) -> None:
        self.name, self.requests = name, []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                self.rfile.read(length)
                stand_in.requests.append((self.command, self.path, dict(self.headers)))
                body = json.dumps({"name": stand_in.name, "path": self.path,
                                   "forwarded_for": self.headers.get("x-forwarded-for")}).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer((HOST, port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _haproxy() -> str:
    found = shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)
    if not found:
        message = "HAProxy is not installed (make balancer)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI requires it")
        pytest.skip(message)
    return found


@pytest.fixture()
def balancer(tmp_path: Path) -> Iterator[tuple[Topology, dict[str, StandIn]]]:
    program = _haproxy()
    topology = free_topology(2, 1, 1)
    stand_ins = {i.name: StandIn(i.name, i.port)
                 for role in ("rasa", "actions", "web") for i in topology.instances(role)}
    config = haproxy.write(tmp_path / "haproxy.cfg", haproxy.render(topology, Settings()))
    log = open(tmp_path / "balancer.log", "wb")
    process = subprocess.Popen([program, "-db", "-f", str(config)], env={**os.environ, "RASA_API_TOKEN": TOKEN},
                               stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                if requests.get(f"http://{HOST}:{topology.stats_port}/health", timeout=1).ok:
                    break
            except requests.RequestException:
                pass
            assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "balancer.log").read_text()
            time.sleep(0.1)
        yield topology, stand_ins
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
        for stand_in in stand_ins.values():
            stand_in.stop()


def _rest(topology: Topology, sender: str) -> requests.Response:
    return requests.post(f"http://{HOST}:{topology.public_port}/webhooks/rest/webhook",
                         json={"sender": sender, "message": "在吗"}, timeout=10)


def test_the_balancer_keeps_conversations_together_and_survives_a_dead_instance(balancer) -> None:
    topology, stand_ins = balancer
    public = f"http://{HOST}:{topology.public_port}"

    # The health check reaches each Rasa instance's turn route with the token HAProxy took from its environment
    deadline = time.monotonic() + 10
    while not all(any(path == f"/health/turn?token={TOKEN}" for _, path, _ in stand_ins[name].requests)
                  for name in ("rasa-1", "rasa-2")):
        assert time.monotonic() < deadline, {n: s.requests[:3] for n, s in stand_ins.items()}
        time.sleep(0.2)

    assert haproxy.servers_not_up(topology.stats_port) == [], "every stand-in is taken in (the cluster's readiness)"

    # REST: every message of one sender on one instance (the answer says which); the senders spread over both
    served: dict[str, set[str]] = defaultdict(set)
    for _round in range(3):
        for n in range(24):
            reply = _rest(topology, f"customer-{n}")
            assert reply.ok and reply.headers["X-Courier-Instance"] == reply.json()["name"]
            served[f"customer-{n}"].add(reply.json()["name"])
    assert all(len(names) == 1 for names in served.values()), served
    assert {name for names in served.values() for name in names} == {"rasa-1", "rasa-2"}

    # WeChat: by the openid WeChat adds to the URL
    by_openid: dict[str, set[str]] = defaultdict(set)
    for n in range(30):
        reply = requests.post(f"{public}/webhooks/wechat/webhook?openid=o-{n % 10}&signature=s", data="<xml/>",
                              timeout=10)
        by_openid[f"o-{n % 10}"].add(reply.json()["name"])
    assert all(len(names) == 1 for names in by_openid.values()), by_openid

    # socket.io: the first answer pins the browser with a cookie; polls with it stay there
    first = requests.get(f"{public}/socket.io/?EIO=4&transport=polling", timeout=10)
    pinned = first.json()["name"]
    assert first.cookies.get(haproxy.AFFINITY_COOKIE) == pinned
    for other in ("rasa-1", "rasa-2"):
        polls = {requests.get(f"{public}/socket.io/?EIO=4&transport=polling&sid=s", timeout=10,
                              cookies={haproxy.AFFINITY_COOKIE: other}).json()["name"] for _ in range(5)}
        assert polls == {other}

    # Only the channel routes reach Rasa from outside; the web process gets the rest, with the real client address
    reply = requests.get(f"{public}/conversations/customer-1/tracker", headers={"X-Forwarded-For": "6.6.6.6"},
                         timeout=10)
    assert reply.json()["name"] == "web-1" and reply.json()["forwarded_for"] == "127.0.0.1"
    too_big = requests.post(f"{public}/webhooks/rest/webhook", data=b"x" * (Settings().rasa_max_request_bytes + 1),
                            timeout=10)
    assert too_big.status_code == 413

    # The inside addresses (the Services): Rasa's API, the action servers, the web processes
    inside = {role: requests.get(f"{topology.inside_url(role)}/conversations/c-1/tracker", timeout=10).json()["name"]
              for role in ("rasa", "actions", "web")}
    assert inside["rasa"] in ("rasa-1", "rasa-2") and inside["actions"] == "actions-1" and inside["web"] == "web-1"

    # rasa-1 dies: its conversations go on at rasa-2 at once — no failed request, before any health check noticed
    stand_ins["rasa-1"].stop()
    for sender in served:
        reply = _rest(topology, sender)
        assert reply.ok and reply.json()["name"] == "rasa-2", (sender, reply.status_code, reply.text[:200])
    moved = requests.get(f"{public}/socket.io/?EIO=4&transport=polling&sid=s", timeout=10,
                         cookies={haproxy.AFFINITY_COOKIE: "rasa-1"})
    assert moved.ok and moved.json()["name"] == "rasa-2"
