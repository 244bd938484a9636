"""A process killed (SIGKILL) right after the bot acknowledged a user's choices (run by
tests/test_crash.py).

    python -m tests.fakes.crashing_consent DATABASE_URL

With write-behind on (the longest batch delay, so that no batch can land by chance), a user
picks a language and a role, agrees to the data notice and subscribes to the weekly tip; each
reply is printed, then the process dies at once: whatever the replies said is recorded must be
in the database.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from bot.app import App, build_services
from bot.core.messages import Inbound, UserRef
from tests.conftest import settings_for

USER = UserRef("test", "consenting")


async def main(url: str) -> None:
    settings = settings_for(database_url=url, write_behind_ms=10_000)
    app = App.create(settings, services=build_services(settings))
    replies = await app.pipeline.handle(Inbound(USER, text="/start"))
    for prefix in ("lang:en", "role:parent", "commune:none", "consent:"):
        offered = [b.value for r in replies for row in r.buttons for b in row]
        pressed = next((value for value in offered if value.startswith(prefix)), None)
        if pressed is None and prefix == "commune:none":
            continue  # asked only where there is a commune list
        assert pressed is not None, (prefix, offered)
        replies = await app.pipeline.handle(Inbound(USER, callback=pressed))
        print(f"pressed {pressed}: {len(replies)} replies", flush=True)
    print(f"acknowledged; waiting writes {app.stores.writer.pending}; dying", flush=True)  # type: ignore[attr-defined]
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
