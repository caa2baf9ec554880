"""WeChat's XML bodies: hardened parsing of inbound messages and rendering of passive replies.

Inbound XML is untrusted. Anything declaring a DTD or entities (billion laughs, external entities) is
refused before it reaches a parser; defusedxml with every feature forbidden is the second line.
"""

from __future__ import annotations

import re
import time
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MAX_BODY_BYTES = 64 * 1024
_DECLARATIONS = re.compile(r"<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)|<!\[\s*(INCLUDE|IGNORE)", re.I)


class RejectedXml(ValueError):
    """The body is not a well-formed, declaration-free WeChat XML message."""


def parse(body: bytes) -> dict[str, str]:
    """The `<xml>` element's children as a flat dict of tag → text."""
    if not body or len(body) > MAX_BODY_BYTES:
        raise RejectedXml("empty or oversized body")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RejectedXml("body is not UTF-8") from exc
    if _DECLARATIONS.search(text):
        raise RejectedXml("DTD or entity declarations are not accepted")
    try:
        root = fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ParseError) as exc:
        raise RejectedXml(f"not acceptable XML: {type(exc).__name__}") from exc
    if root.tag != "xml":
        raise RejectedXml("root element must be <xml>")
    return {child.tag: (child.text or "").strip() for child in root}


def _cdata(value: str) -> str:
    # "]]>" would close the section early: split it across two sections.
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply(to_user: str, from_user: str, content: str, now: int | None = None) -> str:
    """A passive text reply to the message `to_user` sent to the account `from_user`."""
    return (
        "<xml>"
        f"<ToUserName>{_cdata(to_user)}</ToUserName>"
        f"<FromUserName>{_cdata(from_user)}</FromUserName>"
        f"<CreateTime>{int(now if now is not None else time.time())}</CreateTime>"
        "<MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{_cdata(content)}</Content>"
        "</xml>"
    )


def encrypted_envelope(encrypt: str, signature: str, timestamp: str, nonce: str) -> str:
    """The safe-mode wrapper around an encrypted passive reply."""
    return (
        "<xml>"
        f"<Encrypt>{_cdata(encrypt)}</Encrypt>"
        f"<MsgSignature>{_cdata(signature)}</MsgSignature>"
        f"<TimeStamp>{_cdata(timestamp)}</TimeStamp>"
        f"<Nonce>{_cdata(nonce)}</Nonce>"
        "</xml>"
    )
