"""WeChat's side of the conversation for end-to-end tests, played with wechatpy (an independent
implementation): building pushes as WeChat does, signing and encrypting them, reading passive replies.
"""

from __future__ import annotations

import re
import time
import uuid

import requests
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

from tests.wechat_fake_api import FakeWeChatApi

ACCOUNT = "gh_courier_e2e"

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE xml [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
<xml><ToUserName><![CDATA[{account}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>
<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>&d;</Content><MsgId>1</MsgId></xml>"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<xml><ToUserName><![CDATA[{account}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>
<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>&secret;</Content><MsgId>2</MsgId></xml>"""


def new_openid() -> str:
    return "o" + uuid.uuid4().hex[:27]


def text_xml(openid: str, content: str, msg_id: str) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    )


def event_xml(openid: str, event: str) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[{event}]]></Event></xml>"
    )


def image_xml(openid: str, pic_url: str, media_id: str, msg_id: str) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[image]]></MsgType>"
        f"<PicUrl><![CDATA[{pic_url}]]></PicUrl><MediaId><![CDATA[{media_id}]]></MediaId><MsgId>{msg_id}</MsgId></xml>"
    )


def voice_xml(openid: str, msg_id: str) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[voice]]></MsgType>"
        f"<MediaId><![CDATA[m1]]></MediaId><Format><![CDATA[amr]]></Format><MsgId>{msg_id}</MsgId></xml>"
    )


class WeChatServer:
    """What WeChat's servers do: sign (and in safe mode encrypt) each push, then read the reply."""

    def __init__(self, rasa_url: str, api: FakeWeChatApi, token: str, aes_key: str, app_id: str) -> None:
        self.url = f"{rasa_url}/webhooks/wechat/webhook"
        self.api = api
        self.token = token
        self.crypto = WeChatCrypto(token, aes_key, app_id)
        self._msg_ids = iter(range(int(time.time() * 1000), 10**18))

    def next_msg_id(self) -> str:
        return str(next(self._msg_ids))

    def signed(self, nonce: str, extra: str | None = None) -> dict[str, str]:
        timestamp = str(int(time.time()))
        signer = WeChatSigner()
        signer.add_data(self.token, timestamp, nonce, *([extra] if extra else []))
        return {"signature": signer.signature, "timestamp": timestamp, "nonce": nonce}

    def post(self, body: str, *, aes: bool = False, openid: str = "", bad_signature: bool = False) -> requests.Response:
        nonce = uuid.uuid4().hex[:10]
        params = {**self.signed(nonce), "openid": openid}
        if bad_signature:
            params["signature"] = "0" * 40
        data = body.encode("utf-8")
        if aes:
            envelope = self.crypto.encrypt_message(body, nonce, params["timestamp"])
            encrypt = re.search(r"<Encrypt><!\[CDATA\[(.+?)\]\]></Encrypt>", envelope).group(1)
            signature = re.search(r"<MsgSignature><!\[CDATA\[(\w+)\]\]>", envelope).group(1)
            params.update({"encrypt_type": "aes", "msg_signature": signature})
            # The body WeChat posts in safe mode: the account and the encrypted message.
            data = (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
                    f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>").encode()
        return requests.post(self.url, params=params, data=data, headers={"Content-Type": "text/xml"}, timeout=30)

    def passive_text(self, response: requests.Response, aes: bool = False) -> str | None:
        """The passive reply's text (decrypted and signature-checked by wechatpy), None for "success"."""
        assert response.status_code == 200, response.text
        if response.text in ("success", ""):
            return None
        body = response.text
        if aes:
            fields = dict(re.findall(r"<(MsgSignature|TimeStamp|Nonce)><!\[CDATA\[(.*?)\]\]>", body))
            body = self.crypto.decrypt_message(body, fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"])
        reply = parse_message(body)
        assert reply.type == "text" and reply.source == ACCOUNT
        return reply.content

    def converse(self, openid: str, body: str, aes: bool = False) -> str:
        """The reply the customer sees: passive, or else delivered through the customer-service API."""
        before = len(self.api.texts_to(openid))
        started = time.monotonic()
        response = self.post(body, aes=aes, openid=openid)
        assert time.monotonic() - started < 5, "WeChat gives up after 5 seconds"
        passive = self.passive_text(response, aes)
        if passive is not None:
            assert passive.startswith("<") is False
            return passive
        texts = self.api.wait_for_texts(openid, before + 1, timeout=60)
        assert len(texts) > before, f"no reply for {openid} passively or through the customer-service API"
        time.sleep(0.5)  # a long reply may come in several parts
        return "\n".join(self.api.texts_to(openid)[before:])
