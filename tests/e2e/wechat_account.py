"""The WeChat Official Account the shared e2e stack runs with, and the fixtures that play WeChat's side.

The shared `stack` fixture starts Rasa with the environment of this process, so the account's settings
(token, app id, EncodingAESKey, the API base of a local fake of WeChat's servers) are set here, when
tests/e2e/conftest.py imports this module, before any stack starts. The account runs in compatible mode, so
plaintext and AES messages both arrive. The fixtures are registered by conftest.py (once for every module
that uses them: the fake API listens on one fixed port).
"""

from __future__ import annotations

import base64
import os
import socket

import pytest

from tests.wechat_fake_api import FakeWeChatApi
from tests.wechat_side import WeChatServer

TOKEN = "e2e-wechat-token"
APP_ID = "wxe2e00000000001"
APP_SECRET = "e2e-wechat-secret"
AES_KEY = base64.b64encode(b"courier-e2e-aes-key-32-bytes-ok!").decode()[:-1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


FAKE_API_PORT = _free_port()
WECHAT_ENV = {
    "WECHAT_TOKEN": TOKEN,
    "WECHAT_APP_ID": APP_ID,
    "WECHAT_APP_SECRET": APP_SECRET,
    "WECHAT_ENCODING_AES_KEY": AES_KEY,
    "WECHAT_MESSAGE_MODE": "compatible",
    "WECHAT_API_BASE": f"http://127.0.0.1:{FAKE_API_PORT}",
}
os.environ.update(WECHAT_ENV)


@pytest.fixture(scope="session")
def wechat_api():
    api = FakeWeChatApi(APP_ID, APP_SECRET, port=FAKE_API_PORT).start()
    yield api
    api.stop()


@pytest.fixture()
def wechat(stack, wechat_api) -> WeChatServer:
    return WeChatServer(stack.rasa_url, wechat_api, TOKEN, AES_KEY, APP_ID)
