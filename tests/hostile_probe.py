"""Judging and recording what the stack did with each hostile input (issue 13's corpus figures).

An `Outcome` is what one request got back; `judge` says what is wrong with it, if anything; `CorpusRecord`
keeps, per channel, the inputs tried, 5xx answers, empty replies, crashes and the Rasa process's peak memory,
and writes them to results/security_corpus.json for the issue's closing note.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bot.settings import ROOT

RESULTS = ROOT / "results" / "security_corpus.json"
# An over-long message is refused before NLU, so it must cost about what a short one does (issue 13: "in well
# under a second, with flat memory"); the slack covers a busy shared machine and the request body itself.
OVERSIZED_MEMORY_MB = 64.0
OVERSIZED_SECONDS = 2.0
_EXPLANATION_KEYS = ("error", "message", "detail", "description", "reason")


@dataclass
class Outcome:
    """One request's answer. `status` is None where the channel has no HTTP answer (socket.io)."""

    status: int | None = None
    replies: list[str] = field(default_factory=list)
    body: str = ""
    error: str | None = None  # the request got no answer at all (timeout, dropped connection)
    seconds: float = 0.0
    json_explanations: bool = True  # 4xx must carry a JSON message (False: WeChat's plain-text channel)

    @property
    def explained_refusal(self) -> bool:
        if not self.json_explanations:
            return bool(self.body.strip())
        try:
            payload = json.loads(self.body)
        except ValueError:
            return False
        return isinstance(payload, dict) and any(
            isinstance(payload.get(key), str) and payload[key].strip() for key in _EXPLANATION_KEYS
        )


def judge(outcome: Outcome, reply_due: bool = True) -> str | None:
    """What is wrong with the answer, in a few words; None when it is acceptable.

    Acceptable: a 4xx that says why (a malformed request), or a non-empty reply where one is due.
    """
    if outcome.error:
        return f"no answer ({outcome.error})"
    if outcome.status is not None and outcome.status >= 500:
        return f"HTTP {outcome.status}"
    if outcome.status is not None and 400 <= outcome.status < 500:
        return None if outcome.explained_refusal else f"HTTP {outcome.status} without an explanation"
    if reply_due and not any(reply.strip() for reply in outcome.replies):
        return "empty reply"
    return None


class RasaMemory:
    """The Rasa process's resident memory from /proc: now, and the peak since the last reset."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def _status_mb(self, key: str) -> float:
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    def rss_mb(self) -> float:
        return self._status_mb("VmRSS")

    def peak_mb(self) -> float:
        return self._status_mb("VmHWM")

    def reset_peak(self) -> None:
        # Writing 5 to clear_refs resets VmHWM to the current RSS, so each input's peak is its own.
        try:
            Path(f"/proc/{self.pid}/clear_refs").write_text("5")
        except OSError:
            pass


@dataclass
class ChannelTally:
    inputs: int = 0
    server_errors: int = 0
    empty_replies: int = 0
    crashes: int = 0
    failures: list[str] = field(default_factory=list)
    rasa_peak_rss_mb: float = 0.0
    rasa_peak_growth_mb_oversized: float = 0.0
    slowest_oversized_s: float = 0.0


@dataclass
class Probe:
    """Problems found while trying one input on one channel (the input itself and the follow-up)."""

    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def check(self, outcome: Outcome, reply_due: bool = True, what: str = "input") -> None:
        if what == "input":
            self.seconds = outcome.seconds
        problem = judge(outcome, reply_due)
        if problem:
            self.problems.append(f"{what}: {problem}")

    def require(self, condition: bool, problem: str) -> None:
        if not condition:
            self.problems.append(problem)


class CorpusRecord:
    def __init__(self, memory: RasaMemory, dead) -> None:
        self.memory = memory
        self._dead = dead  # returns the stack's exited service, if any
        self.tallies: dict[str, ChannelTally] = {}

    @contextmanager
    def probe(self, channel: str, name: str, oversized: bool = False) -> Iterator[Probe]:
        """Try one input: yields a Probe to check answers with; records the result; fails if anything broke."""
        tally = self.tallies.setdefault(channel, ChannelTally())
        self.memory.reset_peak()
        before = self.memory.rss_mb()
        probe = Probe()
        try:
            yield probe
        except Exception as exc:  # a client-side surprise is a finding too, not a reason to lose the tally
            probe.problems.append(f"test client: {type(exc).__name__}: {exc}"[:300])
        peak = self.memory.peak_mb()
        if oversized and peak - before > OVERSIZED_MEMORY_MB:
            probe.problems.append(f"Rasa's memory grew by {peak - before:.0f} MB (limit {OVERSIZED_MEMORY_MB:.0f})")
        if oversized and probe.seconds > OVERSIZED_SECONDS:
            probe.problems.append(f"answered in {probe.seconds:.1f} s (limit {OVERSIZED_SECONDS:.0f} s)")
        dead = self._dead()
        if dead is not None:
            probe.problems.append(f"crash: the {dead.name} process exited")
        self._count(tally, name, probe, peak, peak - before if oversized else None, dead is not None)
        assert not probe.problems, f"{channel} / {name}: " + "; ".join(probe.problems)

    @staticmethod
    def _count(tally: ChannelTally, name: str, probe: Probe, peak: float, growth: float | None,
               crashed: bool) -> None:
        tally.inputs += 1
        tally.server_errors += sum("HTTP 5" in problem for problem in probe.problems)
        tally.empty_replies += sum("empty reply" in problem for problem in probe.problems)
        tally.crashes += int(crashed)
        tally.failures.extend(f"{name}: {problem}" for problem in probe.problems)
        tally.rasa_peak_rss_mb = max(tally.rasa_peak_rss_mb, round(peak, 1))
        if growth is not None:  # an oversized input: how much memory and time it cost
            tally.rasa_peak_growth_mb_oversized = max(tally.rasa_peak_growth_mb_oversized, round(growth, 1))
            tally.slowest_oversized_s = max(tally.slowest_oversized_s, round(probe.seconds, 2))

    def write(self, path: Path = RESULTS) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        report = {
            "written_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "rasa_rss_mb_at_end": round(self.memory.rss_mb(), 1),
            "channels": {name: asdict(tally) for name, tally in self.tallies.items()},
        }
        path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    def table(self) -> str:
        header = f"{'channel':<16}{'inputs':>7}{'5xx':>6}{'empty':>7}{'crash':>7}{'peak RSS MB':>13}{'oversized +MB':>15}"
        rows = [
            f"{name:<16}{t.inputs:>7}{t.server_errors:>6}{t.empty_replies:>7}{t.crashes:>7}"
            f"{t.rasa_peak_rss_mb:>13.0f}{t.rasa_peak_growth_mb_oversized:>15.1f}"
            for name, t in self.tallies.items()
        ]
        return "\n".join(["hostile corpus (Rasa process memory from /proc VmHWM)", header, *rows])
