"""Uploaded photos (claim evidence, sign-off photos): type, size and magic-byte checks."""

from __future__ import annotations

from bot.backend.errors import ApiError
from bot.settings import get_settings

ALLOWED = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
CONTENT_TYPE_OF = {extension: content_type for content_type, extension in ALLOWED.items()}


def sniff(data: bytes) -> str | None:
    """The real image type from the first bytes, whatever the client claims."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def too_large() -> ApiError:
    """The refusal of a photo over EVIDENCE_MAX_BYTES, also when its declared length already says so."""
    limit = get_settings().evidence_max_bytes
    return ApiError(413, "file_too_large", f"图片太大了，请上传不超过 {limit // (1024 * 1024)} MB 的图片。")


def declared_photo_type(declared_type: str | None) -> str:
    """The declared content type if it is one of the photo types (before any byte is read), else 415."""
    declared = (declared_type or "").split(";")[0].strip().lower()
    if declared not in ALLOWED:
        raise ApiError(415, "unsupported_file_type", "仅支持 JPG、PNG、WEBP 格式的图片。")
    return declared


def validate(data: bytes, declared_type: str | None) -> str:
    if len(data) > get_settings().evidence_max_bytes:
        raise too_large()
    if not data:
        raise ApiError(422, "empty_file", "上传的文件是空的，请重新选择图片。")
    declared = declared_photo_type(declared_type)
    actual = sniff(data)
    if actual != declared:
        raise ApiError(415, "file_content_mismatch", "文件内容不是有效的图片，请上传 JPG、PNG 或 WEBP 格式的照片。")
    return actual
