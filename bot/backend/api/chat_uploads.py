"""`POST /chat/uploads`: a photo from the customer's web chat page, held for their claim (no API key).

The route faces the internet, so it trusts nothing it is sent: the chat session (header `X-Chat-Session`) counts
only with its token (header `X-Chat-Session-Token`, what the channel gave that browser), the session and the
client address are rate-limited before the body is touched, a missing or too large `Content-Length` is
refused unread, the body is read only up to EVIDENCE_MAX_BYTES, and the photo's type is judged by its bytes
(services/images.py). Every refusal is a 4xx with a polite message in the page's script (`?script=tw|hk` for a
Traditional page), never a 500.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.requests import ClientDisconnect

from bot.backend.errors import ApiError
from bot.backend.services import chat_uploads
from bot.backend.services.images import declared_photo_type, too_large
from bot.settings import get_settings
from bot.vocabulary.script import to_traditional

logger = logging.getLogger("bot.backend")

ROUTE = "/chat/uploads"
router = APIRouter(tags=["chat"])


def _answer(error: ApiError, variant: str | None) -> JSONResponse:
    body = error.body()
    if variant in ("tw", "hk"):
        body["detail"]["message"] = to_traditional(error.message, variant)
    headers = {"Retry-After": str(chat_uploads.WINDOW_S // 6)} if error.status == 429 else None
    return JSONResponse(body, status_code=error.status, headers=headers)


def _declared_length(request: Request) -> int:
    raw = request.headers.get("content-length")
    if raw is None:
        raise ApiError(411, "length_required", "请通过聊天页面的图片按钮发送照片。")
    if not raw.isdigit():
        raise ApiError(400, "bad_length", "图片上传的请求格式有误，请重新选择图片。")
    length = int(raw)
    if length > get_settings().evidence_max_bytes:
        raise too_large()
    if length == 0:
        raise ApiError(422, "empty_file", "上传的文件是空的，请重新选择图片。")
    return length


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, never more than `limit` + 1 bytes of it held (a lying Content-Length changes nothing)."""
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_large()
            chunks.append(chunk)
    except ClientDisconnect:
        raise ApiError(400, "upload_interrupted", "图片没有传完，请重新发送。") from None
    return b"".join(chunks)


@router.post(ROUTE, status_code=201)
async def upload(request: Request) -> JSONResponse:
    variant = request.query_params.get("script")
    try:
        session_id = chat_uploads.valid_session(request.headers.get("x-chat-session"))
        # Before the budgets: a stranger naming someone's session must not spend that session's photos.
        chat_uploads.check_owner(session_id, request.headers.get("x-chat-session-token"))
        chat_uploads.check_rate(session_id, request.client.host if request.client else None)
        declared = declared_photo_type(request.headers.get("content-type"))
        _declared_length(request)
        data = await _read_body(request, get_settings().evidence_max_bytes)
        held = chat_uploads.hold(session_id, data, declared)
    except ApiError as error:
        logger.info("chat photo refused: %s", error.code)
        return _answer(error, variant)
    return JSONResponse(held, status_code=201, headers={"Cache-Control": "no-store"})
