"""Latency of the Rasa server's /model/parse on varied customer messages (Simplified and Traditional).

    python -m bot.bench.nlu_parse [--url http://127.0.0.1:5005] [--model models/courier.tar.gz]

Without --url it starts its own `python -m bot.rasa_server run --enable-api` (API behind a random token) on a
free port with the trained model, measures, and stops it; with --url, RASA_API_TOKEN is that server's token. Messages are sent one at a time (what a single chat turn costs), after a short warm-up.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from bot.settings import ROOT, get_settings
from bot.vocabulary.script import to_traditional

_TEMPLATES = [
    "查件{tn}", "我的快递{tn}到哪了", "单号{tn} 怎么还没到", "帮我查下物流", "从{a}寄到{b}多少钱",
    "寄{w}到{b}运费多少", "{a}到{b} {w} 几天能到", "我想寄个{item}去{b}", "预约明天上门取件 电话{phone}",
    "投诉快递员态度差", "我的投诉{cp}处理得怎么样了", "理赔{cl}进度", "快递丢了要赔偿 保价{amount}",
    "{dims} 的箱子寄{b}多少钱", "什么东西不能寄", "可以寄{item}吗", "你们几点下班", "保价怎么收费",
    "怎么开发票", "取件码在哪看", "转人工", "在吗", "谢谢", "今天天气怎么样", "能改地址吗 {tn}",
]
_VALUES = {
    "tn": ["SF1234567890123", "ZT202611230001", "JDV0123456789", "YT1234567890123", "773012345678901"],
    "a": ["深圳", "上海", "苏州", "成都", "乌鲁木齐", "喀什"],
    "b": ["北京", "拉萨", "东莞", "义乌", "西宁", "日喀则", "杭州"],
    "w": ["3kg", "5斤", "两公斤", "500g", "1.5公斤"],
    "item": ["充电宝", "手机", "衣服", "茶叶", "电脑"],
    "phone": ["13812345678", "15900001111"],
    "cp": ["CP20261123001"], "cl": ["CL20261120007"],
    "amount": ["2000元", "两千块", "¥500"], "dims": ["30x20x10", "长40宽30高20"],
}


def messages(count: int = 200) -> list[str]:
    """count messages: templates filled with rotating values, every other one in Traditional script."""
    cycles = {key: itertools.cycle(values) for key, values in _VALUES.items()}
    result = []
    for index, template in zip(range(count), itertools.cycle(_TEMPLATES), strict=False):
        text = template.format(**{key: next(cycle) for key, cycle in cycles.items()})
        result.append(to_traditional(text) if index % 2 else text)
    return result


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_ready(url: str, process: subprocess.Popen, token: str, timeout_s: float = 240) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"rasa server exited with code {process.returncode}")
        try:
            if requests.get(f"{url}/status", params={"token": token}, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    raise RuntimeError(f"rasa server not ready after {timeout_s:.0f} s")


def _start_server(model: Path, workdir: Path, token: str) -> tuple[subprocess.Popen, str]:
    """Our Rasa entry point (API behind `token`), parse only."""
    port = _free_port()
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text("# parse only: no action server, in-memory tracker store\n", encoding="utf-8")
    log = (workdir / "rasa.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.rasa_server", "run", "--enable-api", "-m", str(model), "-p", str(port),
         "-i", "127.0.0.1", "--endpoints", str(endpoints)],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "RASA_API_TOKEN": token},
    )
    return process, f"http://127.0.0.1:{port}"


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _percentile(sorted_values: list[float], fraction: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def measure(url: str, texts: list[str], token: str, warmup: int = 10) -> dict[str, Any]:
    session = requests.Session()
    session.params = {"token": token}
    for text in texts[:warmup]:
        session.post(f"{url}/model/parse", json={"text": text}, timeout=30).raise_for_status()
    timings, scripts_seen = [], set()
    for text in texts:
        started = time.perf_counter()
        response = session.post(f"{url}/model/parse", json={"text": text}, timeout=30)
        timings.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
        scripts_seen.add(response.json().get("script"))
    ordered = sorted(timings)
    return {
        "messages": len(texts),
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(_percentile(ordered, 0.95), 1),
        "mean_ms": round(statistics.fmean(ordered), 1),
        "max_ms": round(ordered[-1], 1),
        "script_in_output": sorted(s for s in scripts_seen if s),
    }


def run(report: dict[str, Any], url: str | None = None, model: Path | None = None,
        count: int = 200) -> dict[str, Any]:
    """Measure /model/parse; uses the server at url, or starts one with model. Result under report["nlu_parse"]."""
    texts = messages(count)
    if url:
        result = measure(url, texts, get_settings().rasa_api_token)
    else:
        model = model or ROOT / "models" / "courier.tar.gz"
        with tempfile.TemporaryDirectory() as workdir:
            token = secrets.token_urlsafe(32)
            process, server_url = _start_server(model, Path(workdir), token)
            try:
                started = time.monotonic()
                _wait_ready(server_url, process, token)
                result = measure(server_url, texts, token)
                result["server_start_s"] = round(time.monotonic() - started, 1)
            finally:
                _stop(process)
    result["url"] = url or "own server"
    report["nlu_parse"] = result
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.bench.nlu_parse", description="Latency of /model/parse")
    parser.add_argument("--url", help="an already running Rasa server, its token in RASA_API_TOKEN (else one is started)")
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "courier.tar.gz")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "bench_nlu_parse.json")
    args = parser.parse_args(argv)
    report: dict[str, Any] = {}
    result = run(report, url=args.url, model=args.model, count=args.count)
    print(f"/model/parse over {result['messages']} messages: median {result['median_ms']} ms, "
          f"p95 {result['p95_ms']} ms (mean {result['mean_ms']} ms, max {result['max_ms']} ms)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
