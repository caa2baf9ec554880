"""Customer turns to a confirmed pickup, quote, complaint and claim (issue 19), by simulated customers.

    python -m bot.bench.form_turns [--rasa-url URL] [--label after] [--max-turns 12]

Each script is a customer with known facts (name, phone, address, destination, item, time window; tracking
number, problem, amount…) in one of two styles, in Simplified and in Traditional:
- one_message: everything in the first message, as customers write on WeChat;
- step_by_step: a short opening ("我要投诉"), then one answer per question, some out of order (the phone when
  the name is asked, the address when the phone is asked…), as issue 19 describes.
The customer reads each reply, tells what was asked by the question texts of domain.yml's utter_ask_<slot>
responses (either script), answers it from its facts, says its request again ("我要投诉") when a reply asks
nothing of the form, corrects once each fact the summary lacks ("描述改成…"), and says 确认 / 確認 at the
summary. Customer turns are counted
until the result: a pickup's 预约成功 with its tracking number, a quote's "合计：¥", a complaint's CP number, a
claim's CL number. A script that is not there within --max-turns, or a reply the customer cannot read, fails
loudly with the transcript (exit 1).

The customer talks to Rasa only over its REST webhook, so the same scripts run against an older version of the
product (`--rasa-url` of a running stack); without it, backend, action server and Rasa start here on free ports
with the trained model. Figures are printed and written to results/bench_form_turns.json.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import requests
import yaml

from bot.settings import ROOT
from bot.stack import DEFAULT_MODEL, Ports, Stack
from bot.vocabulary.script import to_simplified, to_traditional

MAX_TURNS = 12
FORMS = ("pickup", "quote", "complaint", "claim")
STYLES = ("one_message", "step_by_step")
SCRIPTS = ("simplified", "traditional")
FORM_NAMES = {"pickup": "pickup_form", "quote": "quote_form", "complaint": "complaint_form", "claim": "claim_form"}

# What the customer recognises besides the slot questions: the summary to confirm, the claim's photo request.
CONFIRM, PHOTOS = "confirm", "photos"
SUMMARY_MARK = "请核对"
PHOTO_MARKS = ("请直接发送", "发完回复", "发完请回复")
CONFIRM_TEXT = "确认"
# The result of each form, in the (simplified) reply.
DONE = {
    "pickup": re.compile(r"预约成功[\s\S]*?([A-Z]{2}\d{10,13})"),
    "quote": re.compile(r"合计[：:]\s*(¥\s*[\d,.]+)"),
    "complaint": re.compile(r"(?<![A-Za-z0-9])(CP\d{11,12})(?!\d)"),
    "claim": re.compile(r"(?<![A-Za-z0-9])(CL\d{11,12})(?!\d)"),
}
# A hint that asks again in other words (a validation's "请按 … 发给我") has no domain text: these words name the
# slot then. Used only when no question text, summary or photo request is in the reply.
FALLBACK_WORDS = {
    "sender_name": ("称呼", "姓名", "名字"),
    "sender_phone": ("手机号", "电话"),
    "pickup_address": ("地址",),
    "destination": ("寄到哪", "目的地"),
    "item": ("物品", "什么东西"),
    "time_window": ("什么时间", "几点", "时间段"),
    "origin": ("寄出", "出发"),
    "weight": ("多重", "公斤数", "重量"),
    "dimensions": ("尺寸", "长x宽x高"),
    "service_level": ("哪种服务", "标准快递"),
    "complaint_category": ("哪方面", "哪类问题"),
    "complaint_description": ("经过",),
    "complaint_tracking_number": ("单号",),
    "complaint_phone": ("电话", "手机"),
    "claim_tracking_number": ("单号",),
    "claim_type": ("哪种情况",),
    "claim_insured": ("保价",),
    "claim_declared_value": ("保价金额",),
    "claim_amount": ("损失", "金额"),
    "claim_description": ("描述",),
    "claim_phone": ("电话", "手机"),
}


def _plain(text: str) -> str:
    """Simplified, without spaces: how both the domain's questions and the replies are compared."""
    return re.sub(r"\s+", "", to_simplified(text or ""))


def question_key(text: str) -> str:
    """The part of a question that says what it asks: its first sentence ending in ？ (else its first sentence),
    before any aside in brackets or after a comma ("请留一个联系电话，处理人员会…" → "请留一个联系电话")."""
    plain = _plain(text)
    sentences = re.findall(r"[^。！？!?]+[。！？!?]?", plain)
    asking = [s for s in sentences if s.endswith(("？", "?"))]
    sentence = (asking or sentences or [plain])[0].rstrip("。！？!?")
    return re.split(r"[（(，,；;：:]", sentence)[0] or sentence


class QuestionReader:
    """What one form's reply asks for: a slot of the form (by domain.yml's utter_ask_<slot> texts), the summary
    to confirm (CONFIRM) or the claim's photos (PHOTOS). The latest in the reply wins: a reply may note an answer
    first ("已记下…") and ask the next question after it."""

    def __init__(self, domain: dict[str, Any], form: str) -> None:
        forms = domain.get("forms") or {}
        spec = forms.get(form) or forms.get(FORM_NAMES.get(form, "")) or {}
        self.slots = list(spec.get("required_slots") or [])
        if not self.slots:
            raise ValueError(f"no form {form!r} with required slots in the domain")
        responses = domain.get("responses") or {}
        self.keys: dict[str, set[str]] = {}
        for slot in self.slots:
            for variant in responses.get(f"utter_ask_{slot}") or []:
                key = question_key((variant or {}).get("text") or "")
                if len(key) >= 3:
                    self.keys.setdefault(slot, set()).add(key)

    @classmethod
    def from_file(cls, domain_path: Path, form: str) -> QuestionReader:
        return cls(yaml.safe_load(domain_path.read_text(encoding="utf-8")), form)

    def asked(self, reply: str, guess: bool = True) -> tuple[str, bool] | None:
        """(what was asked, whether it was only guessed from FALLBACK_WORDS), or None when nothing was asked.

        Guessing is for a form already under way: elsewhere "手机号的后 4 位" is not this form's phone question."""
        plain = _plain(reply)
        found: list[tuple[int, str]] = []
        for slot, keys in self.keys.items():
            found += [(plain.rfind(key), slot) for key in keys if key in plain]
        if SUMMARY_MARK in plain:
            found.append((plain.rfind(SUMMARY_MARK), CONFIRM))
        found += [(plain.rfind(mark), PHOTOS) for mark in PHOTO_MARKS if mark in plain]
        if found:
            return max(found)[1], False
        if not guess:
            return None
        guessed = [(plain.rfind(word), slot) for slot in self.slots
                   for word in FALLBACK_WORDS.get(slot, ()) if word in plain]
        return (max(guessed)[1], True) if guessed else None


@dataclass(frozen=True)
class Customer:
    """One simulated customer: the form, the style, the opening message and the facts (by slot, in Simplified)."""

    form: str
    style: str
    opening: str
    facts: dict[str, str]
    # Out of order: the first time the key slot is asked, the customer answers with the value slot's fact.
    swaps: dict[str, str] = field(default_factory=dict)
    # What the summary must show of each slot's fact (Simplified). A slot missing there is corrected once
    # ("<label>改成<fact>") before the customer confirms.
    markers: dict[str, str] = field(default_factory=dict)
    # Said again when a reply asks nothing of the form (the assistant took the message for something else).
    restate: str = ""
    script: str = "simplified"

    @property
    def name(self) -> str:
        return f"{self.form}/{self.style}/{self.script}"

    def written(self, text: str) -> str:
        return to_traditional(text) if self.script == "traditional" else text

    def in_traditional(self) -> Customer:
        return replace(self, script="traditional")


# How the customer names a field it corrects at the summary.
LABELS = {
    "sender_name": "称呼", "sender_phone": "电话", "pickup_address": "地址", "destination": "目的地", "item": "物品",
    "time_window": "上门时间", "complaint_category": "类别", "complaint_description": "描述",
    "complaint_tracking_number": "单号", "complaint_phone": "电话", "claim_tracking_number": "单号",
    "claim_type": "类型", "claim_amount": "金额", "claim_description": "情况说明", "claim_phone": "电话",
}


def fresh_phone(rng: random.Random) -> str:
    return f"139{rng.randrange(10**8):08d}"


def customers(rng: random.Random | None = None) -> list[Customer]:
    """Every script: four forms x two styles x two scripts (the Traditional ones are the same customers).

    The one-message customers answer whatever is asked; only the step-by-step ones answer out of order."""
    rng = rng or random.Random()
    out: list[Customer] = []

    def add(customer: Customer, one_message: str) -> None:
        for style in STYLES:
            phone = fresh_phone(rng)
            facts = {slot: value.replace("{phone}", phone) for slot, value in customer.facts.items()}
            markers = {slot: value.replace("{phone}", phone[-4:]) for slot, value in customer.markers.items()}
            made = replace(customer, style=style, facts=facts, markers=markers,
                           opening=one_message.replace("{phone}", phone) if style == "one_message" else customer.restate,
                           swaps=customer.swaps if style == "step_by_step" else {})
            out.extend((made, made.in_traditional()))

    add(Customer(
        "pickup", "", "", restate="我要寄快递，麻烦上门取件",
        facts={"sender_name": "我姓李", "sender_phone": "{phone}", "pickup_address": "广州市天河区体育西路1号",
               "destination": "成都", "item": "两箱茶叶", "time_window": "后天上午10点到12点"},
        # issue 19: a time given for the name; the address given when the phone was asked for
        swaps={"sender_name": "time_window", "sender_phone": "pickup_address"},
        markers={"sender_name": "李", "sender_phone": "{phone}", "pickup_address": "体育西路", "destination": "成都",
                 "item": "茶叶", "time_window": "后天"}),
        "后天上午10点到12点来取件，寄两箱茶叶去成都，地址广州市天河区体育西路1号，电话{phone}，我姓李")
    add(Customer(
        "quote", "", "", restate="帮我算下运费",
        facts={"origin": "上海", "destination": "成都", "weight": "3公斤", "dimensions": "30x20x10",
               "service_level": "标准"},
        swaps={"origin": "weight", "dimensions": "service_level"}),
        "从上海寄3公斤到成都，30x20x10厘米，标准快递，多少钱")
    add(Customer(
        "complaint", "", "", restate="我要投诉",
        facts={"complaint_category": "延误", "complaint_description": "说好前天到，现在还没到，已经延误一周了",
               "complaint_tracking_number": "ZT100000000001", "complaint_phone": "{phone}"},
        swaps={"complaint_category": "complaint_phone", "complaint_description": "complaint_tracking_number"},
        markers={"complaint_category": "延误", "complaint_tracking_number": "ZT100000000001",
                 "complaint_phone": "{phone}", "complaint_description": "还没到"}),
        "我要投诉，ZT100000000001 说好前天到，现在还没到，已经延误一周了，我电话{phone}")
    add(Customer(
        "claim", "", "", restate="我要理赔",
        facts={"claim_tracking_number": "ZT100000000002", "claim_type": "破损", "claim_insured": "没保价",
               "claim_declared_value": "500", "claim_amount": "500元",
               "claim_description": "箱子摔坏了，里面的花瓶碎了", "claim_phone": "{phone}", PHOTOS: "没有照片"},
        swaps={"claim_tracking_number": "claim_description", "claim_insured": "claim_phone"},
        markers={"claim_tracking_number": "ZT100000000002", "claim_type": "破损", "claim_amount": "500",
                 "claim_phone": "{phone}", "claim_description": "花瓶"}),
        "申请理赔，ZT100000000002 箱子摔坏了，没保价，里面的花瓶值500元，电话{phone}，照片稍后补发")
    return out


class CustomerLost(RuntimeError):
    """The script did not reach its result: the transcript says where it went wrong."""


@dataclass
class Outcome:
    customer: Customer
    turns: int = 0
    result: str = ""
    summary_missing: list[str] = field(default_factory=list)
    guessed_questions: int = 0
    restated: int = 0
    corrections: int = 0
    transcript: list[tuple[str, str]] = field(default_factory=list)
    error: str = ""

    def row(self) -> dict[str, Any]:
        return {"form": self.customer.form, "style": self.customer.style, "script": self.customer.script,
                "turns": self.turns if not self.error else None, "result": self.result,
                "summary_missing": self.summary_missing, "guessed_questions": self.guessed_questions,
                "restated": self.restated, "corrections": self.corrections, "error": self.error, "transcript": [{"customer": said, "bot": reply} for said, reply in self.transcript]}


Post = Callable[[str, str], list[dict[str, Any]]]


def rest_poster(rasa_url: str, timeout: float = 60.0) -> Post:
    session = requests.Session()

    def post(sender: str, text: str) -> list[dict[str, Any]]:
        reply = session.post(f"{rasa_url.rstrip('/')}/webhooks/rest/webhook",
                             json={"sender": sender, "message": text}, timeout=timeout)
        reply.raise_for_status()
        return reply.json()

    return post


def reply_text(messages: Iterable[dict[str, Any]]) -> str:
    return "\n".join(str(m.get("text") or "") for m in messages if m.get("text"))


def converse(post: Post, customer: Customer, reader: QuestionReader, max_turns: int = MAX_TURNS,
             max_restates: int = 2) -> Outcome:
    """One conversation from the opening to the form's result; CustomerLost (with the outcome) when it fails.

    The customer answers the question asked from its facts (out of order once where its swaps say so), says the
    request again when a reply asks nothing of the form, corrects once each fact the summary shows wrong or not
    at all, and confirms."""
    outcome = Outcome(customer)
    sender = f"bench-forms-{customer.form}-{uuid.uuid4().hex[:12]}"
    swaps = dict(customer.swaps)
    corrected: set[str] = set()
    began = False
    said = customer.opening
    for turn in range(1, max_turns + 1):
        text = reply_text(post(sender, customer.written(said)))
        outcome.transcript.append((customer.written(said), text))
        plain = _plain(text)
        done = DONE[customer.form].search(plain)
        if done:
            outcome.turns, outcome.result = turn, done.group(1)
            return outcome
        asked = reader.asked(text, guess=began)
        if asked is None:
            if outcome.restated >= max_restates or not customer.restate:
                outcome.error = f"turn {turn}: the customer cannot tell what was asked"
                raise CustomerLost(outcome)
            outcome.restated += 1
            said = customer.restate
            continue
        began = True
        what, guessed = asked
        outcome.guessed_questions += guessed
        if what == CONFIRM:
            outcome.summary_missing = [slot for slot, mark in customer.markers.items() if _plain(mark) not in plain]
            wrong = [slot for slot in outcome.summary_missing if slot not in corrected]
            if wrong:
                corrected.add(wrong[0])
                outcome.corrections += 1
                said = f"{LABELS.get(wrong[0], '')}改成{customer.facts[wrong[0]]}"
            else:
                said = CONFIRM_TEXT
            continue
        slot = swaps.pop(what, what)
        if slot not in customer.facts:
            outcome.error = f"turn {turn}: asked for {what}, which this customer has no answer for"
            raise CustomerLost(outcome)
        said = customer.facts[slot]
    outcome.error = f"no {customer.form} result within {max_turns} turns"
    raise CustomerLost(outcome)


def run_all(post: Post, domain_path: Path, max_turns: int = MAX_TURNS,
            only: Iterable[str] = FORMS) -> list[Outcome]:
    readers = {form: QuestionReader.from_file(domain_path, form) for form in FORMS}
    outcomes = []
    for customer in customers():
        if customer.form not in only:
            continue
        try:
            outcomes.append(converse(post, customer, readers[customer.form], max_turns))
        except CustomerLost as lost:
            outcomes.append(lost.args[0])
    return outcomes


def _mean(values: list[int]) -> float | None:
    return round(statistics.mean(values), 2) if values else None


def figures(outcomes: list[Outcome]) -> dict[str, Any]:
    """Average turns per form, per form and style, per style (over the conversations that got there)."""
    by_form: dict[str, Any] = {}
    for form in dict.fromkeys(o.customer.form for o in outcomes):
        mine = [o for o in outcomes if o.customer.form == form]
        ok = [o for o in mine if not o.error]
        by_form[form] = {
            "average_turns": _mean([o.turns for o in ok]),
            "styles": {style: _mean([o.turns for o in ok if o.customer.style == style]) for style in STYLES},
            "failed": [o.customer.name for o in mine if o.error],
        }
    ok = [o for o in outcomes if not o.error]
    return {"forms": by_form, "styles": {s: _mean([o.turns for o in ok if o.customer.style == s]) for s in STYLES},
            "average_turns": _mean([o.turns for o in ok])}


def table(outcomes: list[Outcome]) -> str:
    lines = [f"{'form':10s} {'style':13s} {'script':12s} {'turns':>5s}  result / notes"]
    for o in outcomes:
        notes = o.error or o.result
        if o.summary_missing:
            notes += f"; confirmed a summary without {', '.join(o.summary_missing)}"
        if o.restated:
            notes += f"; request said again {o.restated}x"
        if o.corrections:
            notes += f"; {o.corrections} correction(s) at the summary"
        if o.guessed_questions:
            notes += f"; {o.guessed_questions} question(s) guessed from keywords"
        turns = "-" if o.error else str(o.turns)
        lines.append(f"{o.customer.form:10s} {o.customer.style:13s} {o.customer.script:12s} {turns:>5s}  {notes}")
    return "\n".join(lines)


def report_text(result: dict[str, Any]) -> str:
    lines = []
    for form, line in result["forms"].items():
        styles = ", ".join(f"{style} {value}" for style, value in line["styles"].items())
        failed = f"  FAILED: {', '.join(line['failed'])}" if line["failed"] else ""
        lines.append(f"{form:10s} average {line['average_turns']} turns ({styles}){failed}")
    lines.append(f"{'all':10s} average {result['average_turns']} turns "
                 f"({', '.join(f'{s} {v}' for s, v in result['styles'].items())})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.bench.form_turns",
                                     description="Customer turns to a confirmed pickup, quote, complaint and claim")
    parser.add_argument("--rasa-url", help="a running stack's Rasa server (default: start one here on free ports)")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="model of the stack started here")
    parser.add_argument("--domain", type=Path, default=ROOT / "domain.yml",
                        help="where the customer reads the question texts (default: this tree's domain.yml)")
    parser.add_argument("--forms", nargs="*", choices=FORMS, default=list(FORMS))
    parser.add_argument("--max-turns", type=int, default=MAX_TURNS)
    parser.add_argument("--label", default="", help="a name for this run in the JSON (e.g. before, after)")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "bench_form_turns.json")
    args = parser.parse_args(argv)

    stack = None
    rasa_url = args.rasa_url
    with tempfile.TemporaryDirectory() as var_dir:
        try:
            if not rasa_url:
                stack = Stack()
                stack.start(ports=Ports.free(), model=args.model, var_dir=Path(var_dir))
                rasa_url = stack.rasa_url
            outcomes = run_all(rest_poster(rasa_url), args.domain, args.max_turns, args.forms)
        finally:
            if stack is not None:
                stack.stop()
    result = figures(outcomes)
    print(table(outcomes))
    print()
    print(report_text(result))
    for o in outcomes:
        if o.error:
            print(f"\n{o.customer.name} failed: {o.error}")
            for said, reply in o.transcript:
                print(f"  customer: {said}\n  bot:      {reply.replace(chr(10), ' / ')}")
    report = {"form_turns": {"label": args.label, "rasa_url": args.rasa_url or "(started here)",
                             "max_turns": args.max_turns, **result,
                             "conversations": [o.row() for o in outcomes]}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 1 if any(o.error for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
