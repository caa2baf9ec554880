"""A body over RASA_MAX_REQUEST_BYTES gets a polite Chinese answer the chat client can show (status 413), not
Sanic's English error: checked on a real Rasa app built the way `python -m bot.rasa_server run` builds it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import requests

from bot.channels.http_limits import too_large_reply
from bot.settings import ROOT, get_settings
from bot.stack import HOST, port_in_use
from bot.vocabulary.script import detect_script
from tests.bot.test_supervisor import free_port

SERVER = """
import sys
from bot import rasa_server
rasa_server.install()
import rasa.core.run
from bot.channels.rest import ScriptAwareRestInput
app = rasa.core.run.configure_app([ScriptAwareRestInput()], enable_api=True, port=int(sys.argv[1]))
app.run(host="127.0.0.1", port=int(sys.argv[1]), access_log=False)
"""


@pytest.fixture(scope="module")
def rasa_url() -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "RASA_API_TOKEN": "test-token-for-the-size-limit"}
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port)], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not port_in_use(port):
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"the Rasa app did not start: {server.communicate(timeout=10)[1][-3000:]}")
            time.sleep(0.2)
        yield f"http://{HOST}:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)


def test_the_reply_is_polite_simplified_chinese_and_names_the_message_bound() -> None:
    text = too_large_reply()
    assert text.startswith("抱歉") and "谢谢" in text and detect_script(text) == "simplified"
    assert str(get_settings().max_message_chars) in text


def test_a_3_mb_message_gets_the_chinese_reply_as_a_rest_answer(rasa_url: str) -> None:
    body = '{"sender": "big-1", "message": "' + "快" * (1024 * 1024) + '"}'  # 3 MB in UTF-8
    assert len(body.encode()) > get_settings().rasa_max_request_bytes
    reply = requests.post(f"{rasa_url}/webhooks/rest/webhook", data=body.encode(),
                          headers={"Content-Type": "application/json"}, timeout=60)
    assert reply.status_code == 413
    assert reply.headers["content-type"].startswith("application/json")
    assert reply.json() == [{"text": too_large_reply()}]


def test_a_body_within_the_limit_still_reaches_the_channel(rasa_url: str) -> None:
    # Not JSON: the channel itself answers (400), so the handler above only catches what is too large.
    reply = requests.post(f"{rasa_url}/webhooks/rest/webhook", data=b"x" * 1000, timeout=30)
    assert reply.status_code == 400 and "JSON" in reply.json()["error"]
