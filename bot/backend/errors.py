"""One error shape for everything: {"detail": {"code", "message", ...}}, never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.backend.input_hygiene import scrub

log = logging.getLogger("bot.backend")


class ApiError(Exception):
    """A refusal the caller can act on: status, machine code, polite Chinese message, extra fields."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"detail": {"code": self.code, "message": self.message, **self.extra}}


_HTTP_CODES = {
    400: ("bad_request", "请求格式有误，请检查后再试。"),
    401: ("unauthorized", "缺少或错误的接口密钥。"),
    403: ("forbidden", "没有权限访问该资源。"),
    404: ("not_found", "没有找到您要的资源。"),
    405: ("method_not_allowed", "该地址不支持这种请求方式。"),
    413: ("payload_too_large", "提交的内容太大了，请精简后再试。"),
    415: ("unsupported_media_type", "不支持的内容类型。"),
}


def _field_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    fields = []
    for error in exc.errors():
        location = ".".join(str(part) for part in error.get("loc", ()) if part != "body") or "body"
        # Scrubbed: a dict key in the location may carry the very characters that were refused, and the
        # answer must still encode.
        fields.append({"field": scrub(location)[:100], "message": scrub(str(error.get("msg", "")))[:200],
                       "type": error.get("type", "")})
    return fields[:20]


_HYGIENE_MESSAGES = {
    "value_error.unsafe_characters": "含有无法识别的字符（控制字符或残缺的 Unicode 编码），请删除后再试",
    "value_error.number_out_of_range": "数值超出了允许的范围",
    "value_error.too_deep": "嵌套层级太深",
}


def _validation_message(fields: list[dict[str, str]]) -> str:
    hygiene = [f for f in fields if f["type"] in _HYGIENE_MESSAGES]
    if hygiene:
        first = hygiene[0]
        return f"请求中的字段 {first['field']} {_HYGIENE_MESSAGES[first['type']]}。"
    names = "、".join(dict.fromkeys(f["field"] for f in fields))
    return f"请求中有字段不符合要求：{names}。"


async def _on_api_error(_request: Request, exc: ApiError) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.status, headers=retry_after(exc.extra))


def retry_after(extra: dict[str, Any]) -> dict[str, str] | None:
    """HTTP's Retry-After for a refusal that says when to come back (429 and lockouts), for any HTTP client."""
    seconds = extra.get("retry_after_s")
    if isinstance(seconds, int | float) and not isinstance(seconds, bool) and seconds >= 0:
        return {"Retry-After": str(max(1, int(-(-seconds // 1))))}
    return None


async def _on_validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    fields = _field_errors(exc)
    if any(f["type"] in {"json_invalid", "value_error.jsondecode"} for f in fields):
        fields = [{"field": "body", "message": "JSON decode error", "type": "json_invalid"}]
        message = "请求内容不是有效的 JSON，请检查后再试。"
    else:
        message = _validation_message(fields)
    body = {"detail": {"code": "invalid_request", "message": message, "fields": fields}}
    return JSONResponse(body, status_code=422)


async def _on_http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    if isinstance(exc.detail, dict) and "code" in exc.detail:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
    code, message = _HTTP_CODES.get(exc.status_code, ("http_error", "请求无法处理。"))
    return JSONResponse({"detail": {"code": code, "message": message}}, status_code=exc.status_code,
                        headers=exc.headers)


async def _on_value_out_of_range(_request: Request, exc: DataError | OverflowError) -> JSONResponse:
    # The database refused a value the schemas let through: an integer path or query parameter beyond the
    # column's range (PostgreSQL's DataError, SQLite's OverflowError while binding it). The request's fault,
    # so a 422 rather than "system error"; logged so the parameter's bounds can be tightened.
    log.warning("database refused a request value: %s", type(getattr(exc, "orig", exc)).__name__)
    body = {"detail": {"code": "invalid_value", "message": "请求中有数值超出了允许的范围，请检查后再试。"}}
    return JSONResponse(body, status_code=422)


async def _on_unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.error("unexpected error: %s", type(exc).__name__, exc_info=exc)
    body = {"detail": {"code": "internal_error", "message": "系统开小差了，请稍后再试，给您带来不便非常抱歉。"}}
    return JSONResponse(body, status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(DataError, _on_value_out_of_range)
    app.add_exception_handler(OverflowError, _on_value_out_of_range)
    app.add_exception_handler(Exception, _on_unexpected)
