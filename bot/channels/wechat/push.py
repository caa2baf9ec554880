"""Message a WeChat customer from any process (agent replies, notices) through the customer-service API.

Inside the Rasa process prefer `POST /webhooks/wechat/push` or Rasa's trigger-intent API with
output_channel=wechat: those share the cached access_token and know the customer's script. This function
shares them too when REDIS_URL is set (production); otherwise it converts with what it can see.
"""

from __future__ import annotations

import asyncio

from bot.channels.kv import make_store
from bot.channels.script_output import ScriptMemory
from bot.channels.wechat.channel import build_customer_service_api, openid_of
from bot.channels.wechat.config import WeChatConfig


async def push_text(sender_id: str, text: str, config: WeChatConfig | None = None) -> int:
    """Send `text` to the customer (sender id `wx:<openid>` or a bare OpenID); returns messages sent."""
    config = config or WeChatConfig.from_settings()
    # Fresh stores per call: a Redis client is bound to the event loop it first ran on.
    memory = ScriptMemory(make_store("script", config.redis_url))
    script = await memory.preference(sender_id if sender_id.startswith("wx:") else f"wx:{sender_id}")
    return await build_customer_service_api(config).send_text(openid_of(sender_id), script.convert(text))


def push_text_sync(sender_id: str, text: str, config: WeChatConfig | None = None) -> int:
    """`push_text` for synchronous callers (scripts, the backend's worker threads)."""
    return asyncio.run(push_text(sender_id, text, config))
