"""WeChat Official Account channel (registered in credentials.yml as bot.channels.wechat.WeChatInput)."""

from bot.channels.wechat.channel import WeChatInput, openid_of, sender_id_for

__all__ = ["WeChatInput", "openid_of", "sender_id_for"]
