"""A child at risk on Zalo: the numbers as call buttons, a counsellor, and their answer relayed."""

from __future__ import annotations

from bot.core.cases.desk import Answer, Close
from bot.core.messages import UserRef
from tests.channels.zalo.conftest import Zalo

CHILD = "8801234567890123456"
WORKER = UserRef("telegram", "501")  # a case worker's desk account (their Telegram id)
DISCLOSURE = "chú hàng xóm bắt em cởi đồ rồi sờ vào người em"


async def test_disclosure_call_buttons_counsellor_and_the_workers_answer(zalo: Zalo) -> None:
    await zalo.onboard(CHILD, role="child", age="11-15")

    sent = await zalo.say(CHILD, DISCLOSURE)
    assert "not your fault" in sent[0].text
    assert sent[0].phones() == ["111", "113"]  # call buttons on Zalo (oa.open.phone)
    assert {b["type"] for b in sent[0].buttons} == {"oa.open.phone"}
    assert "#case:yes" in sent[-1].choices()

    sent = await zalo.press(CHILD, "case:yes")
    assert "counsellor" in sent[0].text and sent[0].phones() == ["111"]
    assert zalo.app is not None
    async with zalo.app.database.store() as store:
        case = await store.cases.open_for(UserRef("zalo", CHILD))
    assert case is not None

    # a case worker answers from their desk: through the outbox to the child on Zalo
    pipeline = zalo.app.pipeline
    await pipeline.enrol_staff([WORKER])
    zalo.mark = len(zalo.fake.calls)
    notice = await pipeline.desk(WORKER, Answer(case.id, "Chào em, cô ở đây. Em có an toàn không?"))
    assert "M-" in notice[0].text  # the worker sees the user's pseudonym only
    await zalo.settle()
    (answer,) = zalo.fake.sent(CHILD)[-1:]
    assert answer.text.startswith("💬 Counsellor TV-") and "Em có an toàn không?" in answer.text
    assert answer.token == zalo.fake.access

    # while the case is open, what the child writes goes to the case (and its desks)
    await zalo.say(CHILD, "em sợ lắm")
    async with zalo.app.database.store() as store:
        said = [m.text for m in await store.cases.messages(case.id)]
    assert said[-1] == "em sợ lắm"

    await pipeline.desk(WORKER, Close(case.id))
    await zalo.settle()
    assert "111" in zalo.fake.sent(CHILD)[-1].text
