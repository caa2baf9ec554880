"""The WeChat channel's configuration, taken from bot.settings (environment)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.settings import Settings, get_settings


@dataclass(frozen=True)
class WeChatConfig:
    token: str
    app_id: str
    app_secret: str = ""
    encoding_aes_key: str = ""
    message_mode: str = ""  # "plain", "compatible" or "safe"; empty: safe when a key is set, else plain
    api_base: str = "https://api.weixin.qq.com"
    passive_timeout_s: float = 4.5
    dedupe_ttl_s: int = 300
    redis_url: str = ""

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> WeChatConfig:
        s = settings or get_settings()
        return cls(
            token=s.wechat_token,
            app_id=s.wechat_app_id,
            app_secret=s.wechat_app_secret,
            encoding_aes_key=s.wechat_encoding_aes_key,
            message_mode=s.wechat_message_mode,
            api_base=s.wechat_api_base.rstrip("/"),
            # WeChat drops the connection at 5 s: a longer wait would lose the reply entirely.
            passive_timeout_s=min(max(s.wechat_passive_timeout_s, 0.0), 4.5),
            dedupe_ttl_s=s.wechat_dedupe_ttl_s,
            redis_url=s.redis_url,
        )

    @property
    def mode(self) -> str:
        if self.message_mode in {"plain", "compatible", "safe"}:
            return self.message_mode
        return "safe" if self.encoding_aes_key else "plain"

    @property
    def accepts_plaintext(self) -> bool:
        # In safe mode the signature does not cover a plaintext body: only encrypted bodies are trusted.
        return self.mode != "safe"

    @property
    def uses_aes(self) -> bool:
        return self.mode != "plain" and bool(self.encoding_aes_key)
