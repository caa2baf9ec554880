"""What keeping conversations on disk costs per turn: Rasa with the embedded SQLite tracker store vs in memory.

    python -m bot.bench.tracker_store [--conversations 20] [--turns 10]

One backend and one action server, and the same model in two Rasa processes side by side: one with Rasa's
in-memory tracker store, one with the embedded default (bot/tracker_store.py on a fresh `conversations.db`).
Every message goes to one and then the other, one at a time over /webhooks/rest/webhook, so both see the same
load on a shared machine; conversations grow turn by turn as real chats do. Reports median, p95 and mean per
turn and the median of the per-message differences. Not part of the tests; figures in docs/scaling.md.
"""

from __future__ import annotations

import argparse
import json
import secrets
import shutil
import statistics
import sys
import time
import uuid
from pathlib import Path

import requests
import yaml

from bot.rasa_endpoints import render_endpoints
from bot.settings import ROOT
from bot.stack import DEFAULT_MODEL, HOST, Ports, Service, Stack

MESSAGES = ("在吗", "查件 ZT100000000001", "什么东西不能寄", "从上海寄3公斤到北京多少钱", "谢谢")


def time_side_by_side(urls: dict[str, str], conversations: int, turns: int) -> dict[str, list[float]]:
    """Milliseconds per turn for each Rasa; every message is sent to each in turn (own sender per Rasa)."""
    session = requests.Session()
    samples: dict[str, list[float]] = {name: [] for name in urls}
    for number in range(conversations):
        run = uuid.uuid4().hex[:6]
        for turn in range(turns):
            message = MESSAGES[turn % len(MESSAGES)]
            for name, url in urls.items():
                started = time.perf_counter()
                reply = session.post(f"{url}/webhooks/rest/webhook",
                                     json={"sender": f"bench-{name}-{run}-{number}", "message": message}, timeout=60)
                reply.raise_for_status()
                samples[name].append((time.perf_counter() - started) * 1000)
    return samples


def start_rasa(ports: Ports, var_dir: Path, token: str, model: Path, endpoints: dict, name: str) -> Stack:
    path = var_dir / f"endpoints-{name}.yml"
    path.write_text(yaml.safe_dump(endpoints, allow_unicode=True), encoding="utf-8")
    rasa = Stack(ports=ports, var_dir=var_dir, rasa_api_token=token)
    rasa.launch([Service("rasa", [sys.executable, "-m", "bot.rasa_server", "run", "--enable-api", "--interface", HOST,
                                  "--port", str(ports.rasa), "--model", str(model), "--credentials",
                                  str(ROOT / "credentials.yml"), "--endpoints", str(path)],
                         ports.rasa, "/status", var_dir / "logs" / f"rasa-{name}.log")],
                env={"RASA_API_TOKEN": token}, timeout=400)
    return rasa


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"turns": len(ordered), "median_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1), "mean_ms": round(statistics.mean(ordered), 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.bench.tracker_store", description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    args = parser.parse_args(argv)
    var_dir = ROOT / "var" / "bench" / "tracker-store"
    shutil.rmtree(var_dir, ignore_errors=True)
    var_dir.mkdir(parents=True)
    ports, token = Ports.free(), secrets.token_hex(32)
    environment = {"RASA_API_TOKEN": token, "DATABASE_URL": "", "TRACKER_STORE_URL": "", "REDIS_URL": "",
                   "RABBITMQ_URL": ""}
    services = Stack()
    services.start(ports, env=environment, model=args.model, var_dir=var_dir, only={"backend", "actions"})
    rasas: dict[str, Stack] = {}
    try:
        embedded = render_endpoints(f"http://{HOST}:{ports.actions}/webhook")
        in_memory = {key: value for key, value in embedded.items() if key != "tracker_store"}
        for name, endpoints in (("in_memory", in_memory), ("sqlite", embedded)):
            own = Ports(backend=ports.backend, rasa=Ports.free().rasa, actions=ports.actions)
            rasas[name] = start_rasa(own, var_dir, token, args.model, endpoints, name)
        urls = {name: rasa.rasa_url for name, rasa in rasas.items()}
        time_side_by_side(urls, 2, 3)  # warm-up
        samples = time_side_by_side(urls, args.conversations, args.turns)
    finally:
        for rasa in rasas.values():
            rasa.stop()
        services.stop()
    results = {name: summary(values) for name, values in samples.items()}
    results["median_of_differences_ms"] = round(statistics.median(
        b - a for a, b in zip(samples["in_memory"], samples["sqlite"], strict=True)), 1)
    out = ROOT / "results" / "bench_tracker_store.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
