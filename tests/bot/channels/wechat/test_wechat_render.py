import asyncio

from bot.channels.kv import MemoryStore
from bot.channels.wechat.options import OptionMemory
from bot.channels.wechat.render import MAX_TEXT_BYTES, OPTIONS_HINT, render, split_text


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def test_short_text_is_one_chunk():
    assert split_text("  您好，请问有什么可以帮您？ ") == ["您好，请问有什么可以帮您？"]
    assert split_text("   ") == []


def test_long_text_splits_at_line_ends_under_the_byte_limit():
    lines = [f"第{i}条物流记录：快件已到达【上海转运中心】，正在发往下一站。" for i in range(80)]
    text = "\n".join(lines)
    chunks = split_text(text)
    assert len(chunks) > 1
    assert all(_size(c) <= MAX_TEXT_BYTES for c in chunks)
    assert "\n".join(chunks) == text  # nothing lost, nothing cut mid-line
    assert all(c.startswith("第") for c in chunks)


def test_one_huge_line_is_cut_by_characters_without_breaking_utf8():
    text = "快" * 3000 + "😀" * 10
    chunks = split_text(text)
    assert all(_size(c) <= MAX_TEXT_BYTES for c in chunks)
    assert "".join(chunks) == text


def test_render_joins_messages_and_numbers_buttons_across_them():
    rendered = render(
        [
            {"text": "您的快件已签收。"},
            {"text": "还需要别的帮助吗？", "buttons": [{"title": "查另一单", "payload": "/track"}]},
            {"text": "或者", "quick_replies": [{"title": "转人工", "payload": "/human_handoff"}]},
            {"image": "https://example.com/proof.jpg"},
        ]
    )
    assert rendered.options == [("查另一单", "/track"), ("转人工", "/human_handoff")]
    assert "您的快件已签收。\n\n还需要别的帮助吗？\n1. 查另一单" in rendered.text
    assert "或者\n2. 转人工" in rendered.text
    assert "https://example.com/proof.jpg" in rendered.text
    assert rendered.text.endswith(OPTIONS_HINT)


def test_numbered_answers_become_the_button_payload_once():
    async def scenario():
        options = OptionMemory(MemoryStore())
        await options.offer("wx:o1", [("查另一单", "/track"), ("转人工", "/human_handoff")])
        assert await options.resolve("wx:o1", "２") == "/human_handoff"  # full-width digit from a phone keyboard
        assert await options.resolve("wx:o1", "2") is None  # options are used up by the next message
        await options.offer("wx:o1", [("查另一单", "/track")])
        assert await options.resolve("wx:o1", "查另一单") == "/track"
        await options.offer("wx:o1", [("查另一单", "/track")])
        assert await options.resolve("wx:o1", "5") is None
        assert await options.resolve("wx:o2", "1") is None

    asyncio.run(scenario())


def test_a_rating_scale_keeps_its_own_numbers_and_a_number_picks_that_score():
    buttons = [{"title": "5 非常满意", "payload": "5"}, {"title": "4 满意", "payload": "4"},
               {"title": "3 一般", "payload": "3"}, {"title": "2 不满意", "payload": "2"},
               {"title": "1 非常不满意", "payload": "1"}, {"title": "不用了", "payload": "不用了"}]
    rendered = render([{"text": "麻烦您为这次服务打个分吧", "buttons": buttons}])
    assert "\n5 非常满意\n4 满意\n3 一般\n2 不满意\n1 非常不满意\n不用了\n" in rendered.text, rendered.text
    assert "1. 5" not in rendered.text

    async def scenario():
        options = OptionMemory(MemoryStore())
        for answer, payload in (("5", "5"), ("１", "1"), ("不用了", "不用了"), ("6", None), ("10", None)):
            await options.offer("wx:o3", rendered.options)
            assert await options.resolve("wx:o3", answer) == payload, answer

    asyncio.run(scenario())
