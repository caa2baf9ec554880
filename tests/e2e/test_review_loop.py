"""The review loop on the real stack: a message the trained model does not understand, sent through Rasa's REST
channel, reaches the supervisors' review page through the analytics consumer reading Rasa's own tracker store,
masked; labelled there, it is in the export as Rasa training data; a model trained on that export understands it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from bot.nlu.evaluate import predict_all
from bot.settings import ROOT

# Text no intent fits: the trained model reads it as out of scope, a fallback or below REVIEW_LOW_CONFIDENCE, and
# the assistant answers that it cannot help; each of those sends the message to review.
NONSENSE = "咕噜咕噜阿巴阿巴呜啦啦"
PHONE = "13812345678"
# Cantonese for "I can't find my parcel": the trained model reads it with low confidence (0.32, subscribe_updates).
UNCLEAR = "揾唔到我份嘢"
LOW_CONFIDENCE = 0.6  # REVIEW_LOW_CONFIDENCE's default


def waiting_for_review(stack, lead: requests.Session, text: str) -> dict:
    """The review page's entry for a message containing `text`, once the analytics consumer has read it."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the consumer reads every ANALYTICS_POLL_S (5 s)
        review = lead.get(f"{stack.backend_url}/console/api/review", timeout=30)
        assert review.status_code == 200, review.text
        found = next((m for g in review.json()["groups"] for m in g["messages"] if text in m["text"]), None)
        if found is not None:
            return found
        time.sleep(1)
    raise AssertionError(f"{text} never reached the review page:\n{stack.log('backend')}")


@pytest.mark.e2e
def test_a_message_the_assistant_did_not_understand_is_reviewed_and_exported(stack) -> None:
    sender = f"review-{uuid.uuid4().hex[:8]}"
    text = f"{NONSENSE}，电话{PHONE}"
    intent = stack.parse(text)["intent"]
    assert intent["name"] in ("out_of_scope", "nlu_fallback") or intent["confidence"] < 0.6, intent
    stack.rest_turn(sender, text)
    lead = stack.supervisor()
    found = waiting_for_review(stack, lead, NONSENSE)
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


@pytest.mark.e2e
# A training run: up to 10 minutes here when it shares the cores with the cluster test (make e2e runs two workers).
@pytest.mark.timeout(1500)
def test_after_training_on_the_export_the_reviewed_message_is_understood(stack, tmp_path: Path) -> None:
    before = stack.parse(UNCLEAR)["intent"]
    assert before["name"] != "track_parcel" or before["confidence"] < LOW_CONFIDENCE, (
        f"the model already understands {UNCLEAR}: pick a message it does not for this test", before)
    stack.rest_turn(f"review-{uuid.uuid4().hex[:8]}", UNCLEAR)
    lead = stack.supervisor()
    found = waiting_for_review(stack, lead, UNCLEAR)
    labelled = lead.post(f"{stack.backend_url}/console/api/review/labels",
                         json={"items": [{"id": found["id"], "intent": "track_parcel"}]}, timeout=30)
    assert labelled.status_code == 200, labelled.text
    export = lead.get(f"{stack.backend_url}/console/api/review/export", timeout=30)
    assert export.status_code == 200, export.text

    # The training data with the export where `make train` reads it (data/nlu/reviewed.yml), in a copy. Rasa's
    # incremental training (a fifth of the epochs, from the trained model) stands in for make train's full one.
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    (data / "nlu" / "reviewed.yml").write_text(export.text, encoding="utf-8")
    trained = subprocess.run(
        [sys.executable, "-m", "rasa", "train", "--finetune", str(stack.model), "--epoch-fraction", "0.2",
         "--data", str(data), "--config", str(ROOT / "config.yml"), "--domain", str(ROOT / "domain.yml"),
         "--out", str(tmp_path), "--fixed-model-name", "reviewed"],
        capture_output=True, text=True, cwd=ROOT, timeout=1200)
    assert trained.returncode == 0, trained.stdout[-3000:] + trained.stderr[-3000:]

    after, = predict_all(str(tmp_path / "reviewed.tar.gz"), [UNCLEAR])
    assert after.intent == "track_parcel" and after.confidence >= LOW_CONFIDENCE, after
