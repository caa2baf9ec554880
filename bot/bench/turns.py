"""End-to-end turn latency over /webhooks/rest/webhook, against a stock `rasa init` assistant in the same run.

    python -m bot.bench.turns [--turns 60]

A tracking turn costs NLU + policies + a custom action + a backend call; a FAQ turn costs NLU + the response
selector. Both are compared with the plain greeting turn of the assistant `rasa init` creates (trained once and
kept under var/bench/stock-init). Each turn is a new conversation, so tracker creation is included on both sides.
The goal (issue 4): a tracking turn within 2x the stock assistant's plain turn.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import requests

from bot.settings import ROOT, get_settings
from bot.stack import DEFAULT_MODEL, Ports, Service, Stack

GOAL_RATIO = 2.0
TURNS = {
    "tracking": "查件 ZT100000000001",
    "faq": "什么东西不能寄",
}


def stock_model(workdir: Path) -> Path:
    """The model of a fresh `rasa init` project, created and trained on first use."""
    models = sorted((workdir / "models").glob("*.tar.gz")) if workdir.exists() else []
    if models:
        return models[-1]
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"creating and training a stock `rasa init` assistant in {workdir} (once) …", flush=True)
    subprocess.run([sys.executable, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(workdir)],
                   cwd=workdir, check=True, stdout=subprocess.DEVNULL)
    return sorted((workdir / "models").glob("*.tar.gz"))[-1]


def start_stock(model: Path, workdir: Path, port: int, endpoints: Path | None = None) -> Stack:
    """The stock assistant behind the same Stack machinery (its own process group, health check, logs); with its
    own endpoints.yml (in-memory stores), or the given one."""
    stack = Stack(root=workdir, ports=Ports(backend=0, rasa=port, actions=0), var_dir=workdir / "var")
    stack.launch([Service(
        "rasa", [sys.executable, "-m", "rasa", "run", "--enable-api", "--interface", "127.0.0.1",
                 "--port", str(port), "--model", str(model), "--endpoints", str(endpoints or "endpoints.yml")],
        port, "/status", workdir / "var" / "rasa.log")], timeout=300)
    return stack


def time_turns(rasa_url: str, text: str, count: int, warmup: int = 5) -> list[float]:
    """Milliseconds per turn, each from a new sender; the warm-up turns are not counted."""
    session = requests.Session()
    samples = []
    for index in range(warmup + count):
        started = time.perf_counter()
        response = session.post(f"{rasa_url}/webhooks/rest/webhook",
                                json={"sender": f"bench-{uuid.uuid4().hex}", "message": text}, timeout=30)
        elapsed = (time.perf_counter() - started) * 1000
        response.raise_for_status()
        if not response.json():
            raise RuntimeError(f"no reply to {text!r} from {rasa_url}")
        if index >= warmup:
            samples.append(elapsed)
    return samples


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"turns": len(ordered), "median_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1)}


def run(report: dict[str, Any], count: int = 60, model: Path = DEFAULT_MODEL) -> dict[str, Any]:
    stock_dir = get_settings().var_dir / "bench" / "stock-init"
    stock = start_stock(stock_model(stock_dir), stock_dir, Ports.free().rasa)
    ours = Stack()
    with tempfile.TemporaryDirectory() as var_dir:
        try:
            ours.start(ports=Ports.free(), model=model, var_dir=Path(var_dir))
            result = {"stock_plain": summary(time_turns(stock.rasa_url, "hello", count))}
            for name, text in TURNS.items():
                result[name] = summary(time_turns(ours.rasa_url, text, count))
        finally:
            ours.stop()
            stock.stop()
    base = result["stock_plain"]["median_ms"]
    for name in TURNS:
        result[name]["ratio_to_stock_median"] = round(result[name]["median_ms"] / base, 2)
    result["goal_ratio"] = GOAL_RATIO
    result["meets_goal"] = result["tracking"]["ratio_to_stock_median"] <= GOAL_RATIO
    report["turns"] = result
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.bench.turns",
                                     description="End-to-end turn latency vs a stock rasa init assistant")
    parser.add_argument("--turns", type=int, default=60)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "bench_turns.json")
    args = parser.parse_args(argv)
    report: dict[str, Any] = {}
    result = run(report, args.turns, args.model)
    for name in ("stock_plain", *TURNS):
        line = result[name]
        ratio = f", {line['ratio_to_stock_median']}x stock" if "ratio_to_stock_median" in line else ""
        print(f"{name:12s} median {line['median_ms']} ms, p95 {line['p95_ms']} ms over {line['turns']} turns{ratio}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0 if result["meets_goal"] else 1


if __name__ == "__main__":
    sys.exit(main())
