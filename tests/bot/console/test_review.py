"""The supervisors' review page over HTTP, on a real web process whose analytics consumer reads a tracker store
written by Rasa's own SQLTrackerStore: who may use it, bad input, masking, grouping, labels, and an export that
Rasa reads and validates together with the project's training data."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from rasa.shared.core.events import ActionExecuted
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from rasa.validator import Validator

from tests.bot.backend.conftest import ROOT, Backend, start_backend, stop_backend
from tests.bot.console.conftest import PASSWORD, _hours_around_now, create_agent, login
from tests.bot.console.rasa_events import user, written_by_rasa

PHONE = "13987654321"
# Two wordings of one thing the model does not know, a low-confidence reading, and a message it understood.
MESSAGES = [
    ("快递被小狗叼走了怎么办", "nlu_fallback", 0.18),
    (f"我的快递被小狗叼走了怎么办，电话{PHONE}", "nlu_fallback", 0.22),
    ("帮我把包裹转寄到我家在北京市朝阳区建国路88号", "schedule_pickup", 0.41),
    ("查一下ZT100000000001", "track_parcel", 0.98),
]


def create_supervisor(backend: Backend, username: str) -> subprocess.CompletedProcess:
    """Through the documented CLI: `create_agent … --role supervisor`."""
    return subprocess.run(
        [sys.executable, "-m", "bot.console.create_agent", "--username", username, "--team", "general",
         "--name", "组长", "--role", "supervisor", "--password-stdin"],
        input=PASSWORD + "\n", text=True, capture_output=True, cwd=ROOT,
        env={**os.environ, "COURIER_VAR_DIR": str(backend.var_dir), "DATABASE_URL": ""}, timeout=60)


@pytest.fixture(scope="module")
def review_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    var_dir = tmp_path_factory.mktemp("review")
    env = {**_hours_around_now(on_duty=True), "CONSOLE_DEMO_PASSWORD": PASSWORD, "ANALYTICS_POLL_S": "0.3",
           "REVIEW_EXPORT_PATH": str(var_dir / "export" / "reviewed.yml"), "ANALYTICS_SOURCE": "tracker_store"}
    backend = start_backend(var_dir, "", env)
    try:
        result = create_supervisor(backend, "lead")
        assert result.returncode == 0 and "Supervisor lead" in result.stdout, result.stderr
        assert create_agent(backend, "li", "general", "李娜").returncode == 0
        start = time.time() - 120
        events = []
        for index, (text, intent, confidence) in enumerate(MESSAGES):
            events.append(user(text, intent, confidence, start + index * 10, f"r{index}"))
            if intent == "nlu_fallback":
                events.append(ActionExecuted("action_default_fallback", timestamp=start + index * 10 + 1))
        # Where the web process's consumer finds Rasa's embedded store: conversations.db in the shared var dir.
        written_by_rasa(var_dir / "conversations.db", f"review-{uuid.uuid4().hex[:8]}", events)
        yield backend
    finally:
        stop_backend(backend)


@pytest.fixture(scope="module")
def lead(review_backend: Backend) -> requests.Session:
    supervisor = login(review_backend, "lead")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the consumer's first passes
        found = supervisor.get(f"{review_backend.base_url}/console/api/review", timeout=15).json()
        if sum(group["size"] for group in found["groups"]) == 3:
            return supervisor
        time.sleep(0.3)
    pytest.fail(f"the consumer did not read the conversation:\n{review_backend.log_text()[-3000:]}")


def api(backend: Backend, path: str) -> str:
    return f"{backend.base_url}/console/api{path}"


def test_only_a_supervisor_reviews(review_backend: Backend, lead: requests.Session) -> None:
    assert requests.get(api(review_backend, "/review"), timeout=15).status_code == 401
    assert requests.get(api(review_backend, "/review/export"), timeout=15).status_code == 401
    agent = login(review_backend, "li")
    assert agent.get(f"{review_backend.base_url}/console/api/me", timeout=15).json()["role"] == "agent"
    for method, path in (("GET", "/review"), ("GET", "/review/export"), ("POST", "/review/export"),
                         ("POST", "/review/labels")):
        reply = agent.request(method, api(review_backend, path), json={"items": [{"id": 1, "intent": "greet"}]},
                              timeout=15)
        assert reply.status_code == 403 and reply.json()["detail"]["code"] == "supervisors_only", (path, reply.text)
    page = agent.get(f"{review_backend.base_url}/console/review", timeout=15, allow_redirects=False)
    assert page.status_code == 403
    assert lead.get(f"{review_backend.base_url}/console/review", timeout=15).status_code == 200
    assert lead.get(f"{review_backend.base_url}/console/static/review.js", timeout=15).status_code == 200


def test_misread_messages_are_grouped_and_masked(review_backend: Backend, lead: requests.Session) -> None:
    reply = lead.get(api(review_backend, "/review?days=7"), timeout=15)
    assert reply.status_code == 200
    assert PHONE not in reply.text and "建国路88号" not in reply.text
    found = reply.json()
    assert "track_parcel" in found["intents"] and "nlu_fallback" not in found["intents"]
    assert "faq/service_hours" in found["intents"] and "faq" not in found["intents"]
    assert found["entities"]["city"] == ["origin", "destination"] and "mood" not in found["entities"]
    dog, pickup = found["groups"]
    assert dog["size"] == 2 and {"快递", "小狗"} <= set(dog["shared_words"])
    assert {m["why"][0] for m in dog["messages"]} == {"fell_back"}
    assert any("139****4321" in m["text"] for m in dog["messages"])
    assert pickup["messages"][0]["why"] == ["low_confidence"] and "北京市朝阳区***" in pickup["messages"][0]["text"]


@pytest.mark.parametrize(("body", "status"), [
    ({"items": []}, 422),
    ({"items": [{"id": 1, "intent": "greet"}] * 101}, 422),
    ({"items": [{"id": 1, "intent": "no_such_intent"}]}, 422),
    ({"items": [{"id": 1, "intent": "nlu_fallback"}]}, 422),
    ({"items": [{"id": 999999, "intent": "greet"}]}, 404),
    ({"items": [{"id": 1, "intent": "greet", "entities": [{"start": 0, "end": 500, "entity": "item"}]}]}, 422),
    ({"items": [{"id": 1, "intent": "greet", "entities": [{"start": 0, "end": 2, "entity": "mood"}]}]}, 422),
    ({"items": [{"id": 1, "intent": "greet", "entities": [{"start": 0, "end": 2, "entity": "city",
                                                           "role": "nowhere"}]}]}, 422),
    ({"items": [{"id": 1, "intent": "greet", "entities": [{"start": 0, "end": 3, "entity": "item"},
                                                          {"start": 2, "end": 4, "entity": "item"}]}]}, 422),
    ({"items": "greet"}, 422),
])
def test_bad_labels_are_refused(review_backend: Backend, lead: requests.Session, body: dict, status: int) -> None:
    reply = lead.post(api(review_backend, "/review/labels"), json=body, timeout=15)
    assert reply.status_code == status, reply.text


def test_a_request_from_another_site_is_refused(review_backend: Backend, lead: requests.Session) -> None:
    reply = lead.post(api(review_backend, "/review/export"), headers={"Origin": "https://evil.example"}, timeout=15)
    assert reply.status_code == 403


def test_labels_are_exported_as_rasa_training_data(review_backend: Backend, lead: requests.Session,
                                                   tmp_path: Path) -> None:
    groups = lead.get(api(review_backend, "/review"), timeout=15).json()["groups"]
    dog, pickup = groups
    items = [{"id": m["id"], "intent": "faq/refuse_parcel"} for m in dog["messages"]]
    message = pickup["messages"][0]
    start = message["text"].index("北京")
    items.append({"id": message["id"], "intent": "schedule_pickup",
                  "entities": [{"start": start, "end": start + 2, "entity": "city", "role": "destination"}]})
    reply = lead.post(api(review_backend, "/review/labels"), json={"items": items}, timeout=15)
    assert reply.status_code == 200 and len(reply.json()["labelled"]) == 3
    assert lead.get(api(review_backend, "/review"), timeout=15).json()["groups"] == []  # reviewed: off the list

    download = lead.get(api(review_backend, "/review/export"), timeout=15)
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    assert download.encoding == "utf-8", download.headers["Content-Type"]  # or a browser or client reads mojibake
    assert PHONE not in download.text and "建国路88号" not in download.text
    data = RasaYAMLReader().reads(download.text)
    by_intent = {}
    for example in data.intent_examples:
        by_intent.setdefault(example.get_full_intent(), []).append(example)
    assert len(by_intent["faq/refuse_parcel"]) == 2 and "139****4321" in download.text
    [pickup_example] = by_intent["schedule_pickup"]
    assert pickup_example.get("entities") == [{"start": start, "end": start + 2, "value": "北京", "entity": "city",
                                               "role": "destination"}]

    written = lead.post(api(review_backend, "/review/export"), timeout=15)
    assert written.status_code == 200 and written.json()["examples"] == 3
    export = Path(written.json()["path"])
    assert export == review_backend.var_dir / "export" / "reviewed.yml"
    assert export.read_text(encoding="utf-8").split("nlu:")[1] == download.text.split("nlu:")[1]
    # What `rasa data validate` checks of NLU data, with the project's domain and data plus the export.
    importer = TrainingDataImporter.load_from_config(str(ROOT / "config.yml"), str(ROOT / "domain.yml"),
                                                     [str(ROOT / "data"), str(export)])
    assert Validator.from_importer(importer).verify_nlu(ignore_warnings=False)


def test_the_kpi_counts_messages_and_unhandled_topics(review_backend: Backend, lead: requests.Session) -> None:
    report = lead.get(api(review_backend, "/kpi?days=7"), timeout=15).json()["messages"]
    assert report["messages"] == 4 and report["fell_back"] == 2 and report["fallback_rate"] == 0.5
    assert report["top_unhandled"][0]["count"] == 2 and "小狗" in report["top_unhandled"][0]["topic"]
    assert PHONE not in str(report)


def test_the_export_is_among_the_training_inputs() -> None:
    # bot/training.py hashes everything under data/ (tests/bot/test_training.py: a new data/nlu file retrains).
    from bot.settings import get_settings

    assert get_settings().review_export_path.is_relative_to(ROOT / "data" / "nlu")
