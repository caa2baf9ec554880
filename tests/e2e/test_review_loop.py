"""The review loop on the real stack: a message the trained model does not understand, sent through Rasa's REST
channel, reaches the supervisors' review page through the analytics consumer reading Rasa's own tracker store,
masked; labelled there, it is in the export as Rasa training data. (Training on the export is `make train`'s.)"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import pytest
import requests
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from bot.settings import ROOT

PASSWORD = "review-pass-2026"
# Text no intent fits: the trained model reads it as out of scope, a fallback or below REVIEW_LOW_CONFIDENCE, and
# the assistant answers that it cannot help; each of those sends the message to review.
NONSENSE = "咕噜咕噜阿巴阿巴呜啦啦"
PHONE = "13812345678"


def supervisor(stack) -> requests.Session:
    created = subprocess.run(
        [sys.executable, "-m", "bot.console.create_agent", "--username", "e2e-lead", "--team", "general",
         "--role", "supervisor", "--password-stdin", "--reset"],
        input=PASSWORD + "\n", text=True, capture_output=True, cwd=ROOT, timeout=120,
        env={**os.environ, "COURIER_VAR_DIR": str(stack.var_dir), "DATABASE_URL": os.environ.get("DATABASE_URL", "")})
    assert created.returncode == 0, created.stderr
    session = requests.Session()
    session.headers["Origin"] = stack.backend_url
    login = session.post(f"{stack.backend_url}/console/api/login",
                         json={"username": "e2e-lead", "password": PASSWORD}, timeout=15)
    assert login.status_code == 200 and login.json()["role"] == "supervisor", login.text
    return session


@pytest.mark.e2e
def test_a_message_the_assistant_did_not_understand_is_reviewed_and_exported(stack) -> None:
    sender = f"review-{uuid.uuid4().hex[:8]}"
    text = f"{NONSENSE}，电话{PHONE}"
    intent = stack.parse(text)["intent"]
    assert intent["name"] in ("out_of_scope", "nlu_fallback") or intent["confidence"] < 0.6, intent
    stack.rest_turn(sender, text)
    lead = supervisor(stack)
    found = None
    deadline = time.monotonic() + 60
    while found is None and time.monotonic() < deadline:  # the consumer reads every ANALYTICS_POLL_S (5 s)
        review = lead.get(f"{stack.backend_url}/console/api/review", timeout=30)
        assert review.status_code == 200, review.text
        found = next((m for g in review.json()["groups"] for m in g["messages"] if NONSENSE in m["text"]), None)
        time.sleep(1)
    assert found is not None, stack.log("backend")
    assert PHONE not in found["text"] and "138****5678" in found["text"] and found["channel"] == "rest"
    assert found["why"] and set(found["why"]) <= {"fell_back", "low_confidence", "handed_off"}

    labelled = lead.post(f"{stack.backend_url}/console/api/review/labels",
                         json={"items": [{"id": found["id"], "intent": "out_of_scope"}]}, timeout=30)
    assert labelled.status_code == 200, labelled.text
    export = lead.get(f"{stack.backend_url}/console/api/review/export", timeout=30)
    assert export.status_code == 200 and PHONE not in export.text
    examples = {e.get("text"): e.get_full_intent() for e in RasaYAMLReader().reads(export.text).intent_examples}
    assert examples.get(found["text"]) == "out_of_scope", export.text
    kpi = lead.get(f"{stack.backend_url}/console/api/kpi?days=1", timeout=30).json()["messages"]
    assert kpi["messages"] >= 1 and kpi["top_unhandled"], kpi
