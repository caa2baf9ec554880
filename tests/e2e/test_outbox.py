"""Issue 14: a complaint the bot promised to file automatically survives the backend, Rasa and the action server
going down, and is filed exactly once; a half-filled form survives a Rasa restart (embedded default: SQLite
tracker store).

The backend and the bot (action server + Rasa) run as two stacks on one var dir and one set of ports, so each
side can be stopped and started again on its own, the way a crash and a supervisor's restart would.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from bot.outbox import Outbox
from bot.stack import Ports, Stack, StackError
from tests.e2e.conftest import MODEL, RunningStack
from tests.e2e.flows2_chat import Backend, Chat, first, fresh_phone

pytestmark = pytest.mark.e2e

BOT = {"actions", "rasa"}


@dataclass
class SplitStack:
    backend: Stack
    bot: Stack
    ports: Ports
    var_dir: Path
    env: dict[str, str]

    def start(self, stack: Stack, only: set[str]) -> None:
        try:
            stack.start(self.ports, env=self.env, model=MODEL, var_dir=self.var_dir, only=only)
        except StackError as error:
            pytest.fail(f"{', '.join(sorted(only))} did not start: {error}", pytrace=False)

    @property
    def running(self) -> RunningStack:
        return RunningStack(self.bot, self.var_dir, 0.0)

    def tracker(self, sender: str) -> dict:
        reply = requests.get(f"{self.bot.rasa_url}/conversations/{sender}/tracker",
                             params={"token": self.bot.rasa_api_token}, timeout=30)
        reply.raise_for_status()
        return reply.json()


@pytest.fixture(scope="module")
def split(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SplitStack]:
    env = {
        # The embedded default, whatever the developer's shell holds.
        "DATABASE_URL": "", "TRACKER_STORE_URL": "", "OUTBOX_DATABASE_URL": "", "REDIS_URL": "", "RABBITMQ_URL": "",
        "RASA_API_TOKEN": secrets.token_hex(32),  # the same for every start of either side
        "AGENT_HOURS_START": "00:00", "AGENT_HOURS_END": "00:00",
        # The backend is away for minutes here: retries at most 3 s apart so the test does not wait the default.
        "OUTBOX_RETRY_MAX_S": "3",
    }
    running = SplitStack(Stack(), Stack(), Ports.free(), tmp_path_factory.mktemp("outbox-var"), env)
    try:
        running.start(running.backend, {"backend"})
        running.start(running.bot, BOT)
        yield running
    finally:
        running.bot.stop()
        running.backend.stop()


def test_a_promised_complaint_is_filed_once_after_backend_rasa_and_actions_restart(split: SplitStack) -> None:
    # Another customer is half-way through a complaint form when Rasa restarts (one restart serves both checks:
    # Rasa takes a minute or two to load the model on this machine).
    halfway = Chat(split.running, "keep-form")
    halfway.say("我要投诉")
    assert "具体经过" in halfway.say("派送"), halfway.history()

    chat, phone = Chat(split.running, "outbox"), fresh_phone()
    chat.say("我要投诉")
    chat.say("延误")
    chat.say("三天了包裹一直不动，也没人联系我")
    chat.say("ZT100000000003")
    assert "请核对投诉信息" in chat.say(phone), chat.history()

    split.backend.stop()  # the backend dies just before the customer confirms
    shown = chat.say("确认")
    assert "自动为您提交" in shown and "不会重复登记" in shown and "CP" not in shown, chat.history()
    outbox = Outbox(f"sqlite:///{split.var_dir / 'outbox.db'}")
    assert outbox.waiting() == 1

    split.bot.stop()  # Rasa and the action server go too, and come back
    split.start(split.bot, BOT)
    slots = split.tracker(chat.sender)["slots"]
    assert slots["complaint_pending"]["payload"]["contact_phone"] == phone  # the conversation kept it
    # The half-filled form goes on where it was: the description is taken, the next question asked.
    assert "快递单号" in halfway.say("快递员没打电话，直接把包裹放驿站了"), halfway.history()

    split.start(split.backend, {"backend"})
    backend = Backend(split.running)
    deadline = time.monotonic() + 60
    while not backend.complaints_of(phone) and time.monotonic() < deadline:
        time.sleep(1)
    [filed] = backend.complaints_of(phone)  # filed by the outbox worker, nobody having said a word
    assert outbox.waiting() == 0

    # The customer's next message tells the number (the backend replays the same key): still one complaint.
    shown = chat.say("在吗")
    assert "已补交" in shown and first(r"CP\d{12}", shown) == filed["number"], chat.history()
    assert [c["number"] for c in backend.complaints_of(phone)] == [filed["number"]]
    outbox.dispose()
