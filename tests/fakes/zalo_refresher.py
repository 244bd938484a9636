"""A second worker for the cross-process token test: ``python -m tests.fakes.zalo_refresher``.

It loads the stored Zalo tokens as the channel does, prints ``ready``, waits for a line on
stdin, then sends one message; when Zalo refuses the token it refreshes (under the lock that holds
across workers) and sends again. It prints Zalo's final error code (0: sent).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime, timedelta

from bot.channels.zalo.api import ZaloApi
from bot.channels.zalo.sender import TOKEN_ERRORS
from bot.channels.zalo.tokens import TokenKeeper, Tokens
from bot.storage.credentials import SqlCredentialStore
from bot.storage.database import Database
from tests.fakes.zalo_api import APP_ID, APP_SECRET


async def work(database_url: str, api_url: str, user: str) -> int:
    database = Database.from_url(database_url)
    api = ZaloApi(api_url, api_url, APP_ID, APP_SECRET)
    keeper = TokenKeeper(
        api,
        SqlCredentialStore(database.engine),
        Tokens.given("access-0", "refresh-0"),
        clock=lambda: datetime.now(UTC),
        margin=timedelta(minutes=60),
    )
    try:
        await keeper.load()
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        token = keeper.access
        code = await api.send(token, user, {"text": "hello"})
        if code in TOKEN_ERRORS and await keeper.refresh(refused=token):
            code = await api.send(keeper.access, user, {"text": "hello again"})
        return code
    finally:
        await api.close()
        await database.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("database_url")
    parser.add_argument("api_url")
    parser.add_argument("user")
    args = parser.parse_args()
    print(asyncio.run(work(args.database_url, args.api_url, args.user)), flush=True)


if __name__ == "__main__":
    main()
