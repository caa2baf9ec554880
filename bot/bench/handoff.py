"""Handoff latency through the real stack: a web-chat customer asks for a person, an agent answers.

    python -m bot.bench.handoff [--runs 20] [--model models/courier.tar.gz]

Starts backend, action server and Rasa on free ports (bot.stack.Stack), then per run:
- a socket.io client (the web chat's protocol) sends "转人工"; measured until the conversation is in the agent's
  queue (console API, polled every 20 ms — the console page itself polls once a second, which adds up to 1 s);
- the agent accepts and sends a message; measured until the customer's socket receives it;
- the agent ends; measured until the assistant's rating question reaches the customer.
Medians (and p95) are printed and written to results/bench_handoff.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import requests
import socketio

from bot.settings import ROOT, get_settings
from bot.stack import DEFAULT_MODEL, Ports, Stack

POLL_S = 0.02
TIMEOUT_S = 30.0


class Customer:
    """One web-chat customer: a socket.io connection in its own session room, collecting what arrives."""

    def __init__(self, rasa_url: str) -> None:
        self.rasa_url = rasa_url
        self.session_id = ""  # the server's, from session_confirm (a session is the server's to give)
        self.client = socketio.AsyncClient(reconnection=False)
        self.received: list[tuple[float, dict[str, Any]]] = []
        self.client.on("bot_uttered", self._on_message)

    async def _on_message(self, data: dict[str, Any]) -> None:
        self.received.append((time.monotonic(), data))

    async def connect(self) -> None:
        confirmed = asyncio.Event()

        def on_confirm(session_id: str) -> None:
            self.session_id = session_id
            confirmed.set()

        self.client.on("session_confirm", on_confirm)
        # Long-polling: the installed aiohttp is too old for python-engineio's websocket client; a held poll
        # answers as soon as the server emits, so the delivery time is comparable.
        await self.client.connect(self.rasa_url, socketio_path="/socket.io", transports=["polling"])
        await self.client.emit("session_request", {"session_id": None})
        await asyncio.wait_for(confirmed.wait(), TIMEOUT_S)

    async def say(self, text: str) -> None:
        await self.client.emit("user_uttered", {"message": text, "session_id": self.session_id})

    async def wait_for(self, contains: str, after: float) -> float:
        deadline = time.monotonic() + TIMEOUT_S
        while time.monotonic() < deadline:
            for at, data in self.received:
                if at >= after and contains in str(data.get("text") or ""):
                    return at
            await asyncio.sleep(POLL_S)
        raise TimeoutError(f"no message containing {contains!r}")

    async def close(self) -> None:
        await self.client.disconnect()


class Agent:
    def __init__(self, backend_url: str) -> None:
        self.base = f"{backend_url}/console/api"
        self.http = requests.Session()
        self.http.headers["Origin"] = backend_url  # the console refuses state changes from other origins
        reply = self.http.post(f"{self.base}/login", timeout=10,
                               json={"username": "agent", "password": get_settings().console_demo_password})
        reply.raise_for_status()

    def find(self, conversation_id: str) -> int | None:
        queue = self.http.get(f"{self.base}/queue", timeout=10).json()
        return next((item["id"] for item in queue["waiting"] if item["conversation_id"] == conversation_id), None)

    def post(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        reply = self.http.post(f"{self.base}{path}", json=body, timeout=30)
        reply.raise_for_status()
        return reply.json()


async def one_run(rasa_url: str, agent: Agent) -> dict[str, float]:
    customer = Customer(rasa_url)
    await customer.connect()
    try:
        asked = time.monotonic()
        await customer.say("转人工")
        handoff_id = None
        while handoff_id is None:
            if time.monotonic() - asked > TIMEOUT_S:
                raise TimeoutError("the handoff never reached the queue")
            handoff_id = await asyncio.to_thread(agent.find, customer.session_id)
            if handoff_id is None:
                await asyncio.sleep(POLL_S)
        appeared = time.monotonic()
        await customer.wait_for("队列", asked)
        await asyncio.to_thread(agent.post, f"/handoffs/{handoff_id}/accept")
        await customer.wait_for("已接入", asked)
        sent = time.monotonic()
        await asyncio.to_thread(agent.post, f"/handoffs/{handoff_id}/messages", {"text": "您好，我来帮您处理。"})
        delivered = await customer.wait_for("我来帮您处理", sent)
        ending = time.monotonic()
        await asyncio.to_thread(agent.post, f"/handoffs/{handoff_id}/end")
        resumed = await customer.wait_for("打个分", ending)
    finally:
        await customer.close()
    return {"request_to_queue_s": appeared - asked, "agent_to_customer_s": delivered - sent,
            "end_to_rating_question_s": resumed - ending}


def summarise(samples: list[dict[str, float]]) -> dict[str, Any]:
    summary: dict[str, Any] = {"runs": len(samples)}
    for key in samples[0]:
        values = sorted(sample[key] for sample in samples)
        summary[key] = {"median_ms": round(statistics.median(values) * 1000, 1),
                        "p95_ms": round(values[min(len(values) - 1, int(len(values) * 0.95))] * 1000, 1),
                        "max_ms": round(values[-1] * 1000, 1)}
    return summary


async def measure(rasa_url: str, backend_url: str, runs: int) -> list[dict[str, float]]:
    agent = Agent(backend_url)
    await one_run(rasa_url, agent)  # warm-up: first turns load lazily
    return [await one_run(rasa_url, agent) for _ in range(runs)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.bench.handoff", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    args = parser.parse_args(argv)
    stack = Stack()
    with tempfile.TemporaryDirectory(prefix="bench-handoff-") as var_dir:
        print("Starting backend, action server and Rasa…", flush=True)
        # Agents on duty around the clock for the measurement, whatever the time of day.
        stack.start(Ports.free(), model=args.model, var_dir=Path(var_dir),
                    env={"AGENT_HOURS_START": "00:00", "AGENT_HOURS_END": "23:59"})
        try:
            samples = asyncio.run(measure(stack.rasa_url, stack.backend_url, args.runs))
        finally:
            stack.stop()
    summary = summarise(samples)
    results = ROOT / "results"
    results.mkdir(exist_ok=True)
    (results / "bench_handoff.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    for key in ("request_to_queue_s", "agent_to_customer_s", "end_to_rating_question_s"):
        figures = summary[key]
        print(f"{key:28} median {figures['median_ms']:7.1f} ms   p95 {figures['p95_ms']:7.1f} ms   "
              f"max {figures['max_ms']:7.1f} ms   ({summary['runs']} runs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
