"""A crisis disclosure reaches the case workers' group, and their answer reaches the child."""

from __future__ import annotations

import html

from tests.channels.telegram.conftest import DESK_CHAT, WORKER, Telegram
from tests.fakes import telegram_updates as tg

CHILD = 3003
DISCLOSURE = "chú hàng xóm bắt em cởi đồ rồi sờ vào người em"


async def test_disclosure_to_case_desk_and_a_case_worker_reply_relayed_back(
    telegram: Telegram,
) -> None:
    await telegram.say(CHILD, "/start")
    await telegram.press(CHILD, "lang:vi")
    await telegram.press(CHILD, "role:child")
    await telegram.press(CHILD, "age:11-15")
    await telegram.press(CHILD, "commune:none")
    await telegram.press(CHILD, "consent:parent")

    sent = await telegram.say(CHILD, DISCLOSURE)
    assert "111" in sent[0].text  # the numbers first, as text lines (no call buttons on Telegram)
    assert "case:yes" in sent[-1].callbacks()

    sent = await telegram.press(CHILD, "case:yes")
    posted = [c for c in sent if c.chat_id == DESK_CHAT]
    assert len(posted) == 1 and "#" in posted[0].text
    assert any(d.startswith("desk:ack:") for d in posted[0].callbacks())
    assert any(c.chat_id == CHILD for c in sent)

    # a case worker answers by replying to the case message in the group
    case_text = html.unescape(posted[0].text)
    sent = await telegram.push(
        tg.group_text(DESK_CHAT, WORKER, "Chào em, cô ở đây. Em có an toàn không?", case_text)
    )
    to_child = [c for c in sent if c.chat_id == CHILD]
    assert len(to_child) == 1 and "Em có an toàn không?" in to_child[0].text

    # the case worker closes the case with the button under the case message
    sent = await telegram.press(WORKER, "desk:close:", chat_id=DESK_CHAT)
    assert [c.chat_id for c in sent] == [DESK_CHAT, CHILD]
    assert "111" in sent[1].text

    # desk commands: an unreadable one gets the usage, in the group only
    sent = await telegram.push(tg.group_text(DESK_CHAT, WORKER, "/note"))
    assert [c.chat_id for c in sent] == [DESK_CHAT] and "/note" in sent[0].text
