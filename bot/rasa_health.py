"""`GET /health/turn?token=…`: Rasa is healthy when it answers a turn, not merely when its port is open.

The probe runs a fixed customer message through the loaded model's NLU pipeline and then its dialogue policies,
on a throwaway tracker that lives only for the request, and answers 200 with the model, intent and predicted
action, or 503 with the reason (no model loaded — e.g. after `DELETE /model` — or the model failed). A stuck
server answers nothing, which the prober's timeout turns into a failure. bot/supervisor.py restarts Rasa after
SUPERVISOR_PROBE_FAILURES failures in a row.

Why this and not the alternatives:
- `GET /status` only says a model file is loaded, not that it can answer.
- `POST /model/parse` exercises NLU but never the policies.
- A webhook turn from a reserved sender would run actions too (they are probed on the action server), and it
  writes a conversation into the tracker store and the event broker (analytics): one per probe, forever.
  This probe touches neither store, the lock store, the action server nor the channels.

It sits behind the API token like the rest of Rasa's HTTP API (bot/rasa_api_guard.py). Rasa is imported
inside the functions: bot/stack.py needs only the path, and must not load Rasa to start the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rasa.core.agent import Agent
    from sanic import Sanic
    from sanic.request import Request
    from sanic.response import HTTPResponse

TURN_PROBE_PATH = "/health/turn"
# Never a customer's id (channels derive theirs from sessions, OpenIDs or the web chat's UUIDs).
PROBE_SENDER = "__health_probe__"
PROBE_TEXT = "你好"


class NotReady(Exception):
    """No model is loaded, or the one loaded cannot predict actions."""


async def probe_turn(agent: Agent | None) -> dict[str, Any]:
    """Parse PROBE_TEXT and predict the next action on a fresh in-memory tracker; what was decided."""
    from rasa.core.channels.channel import UserMessage
    from rasa.shared.core.constants import ACTION_LISTEN_NAME
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    if agent is None or not agent.is_ready():
        raise NotReady("no model loaded")
    processor = agent.processor
    tracker = DialogueStateTracker.from_events(
        PROBE_SENDER, [ActionExecuted(ACTION_LISTEN_NAME)], slots=processor.domain.slots)
    parsed = await processor.parse_message(UserMessage(PROBE_TEXT, sender_id=PROBE_SENDER), tracker)
    tracker.update(UserUttered(PROBE_TEXT, parsed["intent"], parsed["entities"], parse_data=parsed))
    prediction = processor.predict_next_with_tracker(tracker)
    if not prediction:
        raise NotReady("the model has no dialogue policies")
    best = max(prediction["scores"], key=lambda score: score["score"])
    return {"status": "ok", "model_file": processor.model_filename, "model_id": agent.model_id,
            "intent": (parsed.get("intent") or {}).get("name"), "action": best["action"]}


async def turn_probe_route(request: Request) -> HTTPResponse:
    from sanic import response

    try:
        return response.json(await probe_turn(getattr(request.app.ctx, "agent", None)))
    except NotReady as reason:
        return response.json({"status": "unavailable", "reason": str(reason)}, status=503)
    except Exception as error:  # whatever broke, the answer is "cannot answer a turn", not a 500 page
        return response.json({"status": "failed", "reason": type(error).__name__}, status=503)


def install_turn_probe(app: Sanic) -> None:
    app.add_route(turn_probe_route, TURN_PROBE_PATH, methods=["GET"], name="courier_turn_probe")
