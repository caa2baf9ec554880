import asyncio

import pytest
from rasa.core.channels.channel import CollectingOutputChannel

from bot.channels.kv import MemoryStore, RedisStore
from bot.channels.script_output import (
    ReplyScript,
    ScriptAwareOutput,
    ScriptMemory,
    convert_message,
    detect_variant,
    wrap_for_message,
)
from bot.vocabulary.script import detect_script


def run(coro):
    return asyncio.run(coro)


def test_hong_kong_wording_is_detected_but_not_taiwan_usage():
    assert detect_variant("我嘅包裹去咗邊度？") == "hk"
    assert detect_variant("唔該幫我查下") == "hk"
    assert detect_variant("係咪已經派送？") == "hk"
    assert detect_variant("請問這個關係到運費嗎") is None  # 係 inside 關係 is not Cantonese
    assert detect_variant("我的包裹到哪裡了") is None


def test_memory_keeps_the_last_non_neutral_script():
    async def scenario():
        memory = ScriptMemory(MemoryStore(), default_variant="tw")
        assert await memory.preference("s1") == ReplyScript(False)
        assert await memory.observe("s1", "我的包裹到哪裡了") == ReplyScript(True, "tw")
        assert await memory.observe("s1", "好的") == ReplyScript(True, "tw")  # neutral keeps Traditional
        assert await memory.observe("s1", "SF1234567890") == ReplyScript(True, "tw")
        assert await memory.observe("s1", "我的包裹到哪里了") == ReplyScript(False)  # back to Simplified
        assert await memory.observe("s2", "我嘅包裹去咗邊度") == ReplyScript(True, "hk")
        assert await memory.observe("s2", "運費幾多錢") == ReplyScript(True, "hk")  # variant sticks
        assert await memory.preference("s3") == ReplyScript(False)

    run(scenario())


def test_configured_hong_kong_variant_is_the_default():
    memory = ScriptMemory(MemoryStore(), default_variant="hk")
    assert run(memory.observe("s1", "請問運費多少")) == ReplyScript(True, "hk")


def test_convert_message_converts_wording_and_leaves_payloads():
    message = {
        "text": "您的快件已发出，运单号 SF1234567890",
        "buttons": [{"title": "查看物流", "payload": '/track{"tracking_number":"SF1234567890"}'}],
        "quick_replies": [{"title": "转人工", "payload": "/human_handoff"}],
        "elements": [{"title": "运费说明", "subtitle": "首重续重", "buttons": [{"title": "详细", "payload": "/x"}]}],
        "custom": {"handoff": {"queue": "general", "message": "正在为您转接人工客服"}},
        "image": "https://example.com/a.jpg",
    }
    out = convert_message(message, ReplyScript(True, "tw").convert)
    assert out["text"] == "您的快件已發出，運單號 SF1234567890"
    assert out["buttons"][0] == {"title": "查看物流", "payload": '/track{"tracking_number":"SF1234567890"}'}
    assert out["quick_replies"][0]["title"] == "轉人工"
    assert out["elements"][0]["title"] == "運費說明" and out["elements"][0]["buttons"][0]["title"] == "詳細"
    assert out["custom"]["handoff"] == {"queue": "general", "message": "正在為您轉接人工客服"}
    assert out["image"] == "https://example.com/a.jpg"
    assert message["text"] == "您的快件已发出，运单号 SF1234567890"  # the original is not modified


def test_taiwan_and_hong_kong_conventions_differ():
    assert ReplyScript(True, "tw").convert("请打开里面的包装") != ReplyScript(True, "hk").convert("请打开里面的包装")


def test_wrapped_channel_delivers_traditional_to_traditional_customers_only():
    async def scenario():
        memory = ScriptMemory(MemoryStore())
        trad_out = CollectingOutputChannel()
        output = await wrap_for_message(trad_out, "t1", "請問運費怎麼算", memory)
        await output.send_response("t1", {"text": "运费按重量计算", "buttons": [{"title": "报价", "payload": "/quote"}]})
        await output.send_text_message("t1", "还有其他问题吗")
        assert [m["text"] for m in output.messages] == ["運費按重量計算", "還有其他問題嗎"]
        assert output.messages[0]["buttons"] == [{"title": "報價", "payload": "/quote"}]
        assert output.name() == "collector"

        simp_out = CollectingOutputChannel()
        output = await wrap_for_message(simp_out, "s1", "请问运费怎么算", memory)
        await output.send_response("s1", {"text": "运费按重量计算"})
        assert simp_out.messages[0]["text"] == "运费按重量计算"

        # A proactive message later, with no inbound text, still follows the remembered script.
        later = ScriptAwareOutput(CollectingOutputChannel(), memory)
        await later.send_text_with_buttons("t1", "快件正在派送，请保持电话畅通", [{"title": "知道了", "payload": "/affirm"}])
        assert later.inner.messages[0]["text"] == "快件正在派送，請保持電話暢通"
        assert later.inner.messages[0]["buttons"][0]["title"] == "知道了"
        assert detect_script(later.inner.messages[0]["text"]) == "traditional"

    run(scenario())


@pytest.mark.redis
def test_script_memory_in_redis_is_shared_between_instances(redis_namespace):
    async def scenario():
        namespace = redis_namespace
        one = ScriptMemory(RedisStore("redis://127.0.0.1:6379/0", namespace))
        two = ScriptMemory(RedisStore("redis://127.0.0.1:6379/0", namespace))
        await one.observe("wx:o1", "唔該幫我查件")
        assert await two.preference("wx:o1") == ReplyScript(True, "hk")

    run(scenario())
