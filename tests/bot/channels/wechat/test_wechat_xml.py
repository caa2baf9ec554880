import pytest
from wechatpy import parse_message

from bot.channels.wechat.xml import MAX_BODY_BYTES, RejectedXml, encrypted_envelope, parse, text_reply

TEXT_MESSAGE = """<xml>
<ToUserName><![CDATA[gh_account]]></ToUserName>
<FromUserName><![CDATA[o-openid]]></FromUserName>
<CreateTime>1700000000</CreateTime>
<MsgType><![CDATA[text]]></MsgType>
<Content><![CDATA[查一下 SF1234567890 到哪了]]></Content>
<MsgId>1234567890123456</MsgId>
</xml>"""

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<xml><Content>&lol3;</Content></xml>"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><MsgType>text</MsgType><Content>&xxe;</Content></xml>"""


def test_parses_wechat_message_fields():
    fields = parse(TEXT_MESSAGE.encode())
    assert fields["FromUserName"] == "o-openid"
    assert fields["Content"] == "查一下 SF1234567890 到哪了"
    assert fields["MsgId"] == "1234567890123456"


@pytest.mark.parametrize(
    "body",
    [
        BILLION_LAUGHS,
        XXE,
        '<!DOCTYPE xml SYSTEM "http://evil.example/x.dtd"><xml><a>1</a></xml>',
        "<xml><a>&undefined;</a></xml>",
        "<xml><a>unclosed</xml>",
        "<notxml><a>1</a></notxml>",
        "just text",
        "",
    ],
)
def test_hostile_or_malformed_bodies_are_rejected(body):
    with pytest.raises(RejectedXml):
        parse(body.encode())


def test_non_utf8_and_oversized_bodies_are_rejected():
    with pytest.raises(RejectedXml):
        parse("<xml><a>中文</a></xml>".encode("utf-16"))
    with pytest.raises(RejectedXml):
        parse(b"<xml><a>" + b"x" * MAX_BODY_BYTES + b"</a></xml>")


def test_text_reply_is_read_back_by_wechatpy_even_with_cdata_terminator():
    reply = parse_message(text_reply("o-openid", "gh_account", "您好 ]]> 欢迎 <b>&", now=1700000001))
    assert reply.type == "text"
    assert reply.content == "您好 ]]> 欢迎 <b>&"
    assert reply.target == "o-openid" and reply.source == "gh_account"


def test_encrypted_envelope_fields():
    fields = parse(encrypted_envelope("ENC==", "sig", "1700000000", "n1").encode())
    assert fields == {"Encrypt": "ENC==", "MsgSignature": "sig", "TimeStamp": "1700000000", "Nonce": "n1"}
