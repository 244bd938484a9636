"""``mangnon campaign …``: the Propaganda Board's campaigns from the command line.

Every action is the core's (``bot.core.campaigns.service.Campaigns``): the web admin calls the
same ones. Sending needs a running server (``mangnon serve``): this command queues the messages
and follows their delivery; the server's dispatchers deliver them.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from tqdm import tqdm

from bot.channels.markdown import to_plain
from bot.config import load_settings
from bot.core.campaigns.model import Campaign, CampaignStats, CampaignStatus
from bot.core.campaigns.service import CampaignError, Campaigns, Preview
from bot.core.campaigns.spec import CampaignFileError
from bot.core.messages import Reply, UserRef
from bot.logs import setup_logging

POLL_SECONDS = 1.0
STALL_SECONDS = 15.0  # no progress for this long: say the server may not be running


def register(commands: Any) -> None:
    campaign = commands.add_parser("campaign", help="campaigns to subscribers (four eyes)")
    sub = campaign.add_subparsers(dest="campaign_command", required=True, metavar="ACTION")

    def action(name: str, help_text: str, func: Callable[..., Awaitable[int]]) -> Any:
        parser = sub.add_parser(name, help=help_text)
        parser.set_defaults(func=lambda args: _run(func, args))
        return parser

    create = action("create", "a draft from a campaign file (prints its id)", _create)
    create.add_argument("file", type=Path)
    create.add_argument("--by", help="the author (a member of staff)")
    listing = action("list", "every campaign, newest first", _list)
    listing.add_argument("--json", action="store_true")
    action("show", "a campaign, its messages and its audit log", _show).add_argument("id", type=int)
    action("preview", "audience size and each language's message", _preview).add_argument(
        "id", type=int
    )
    submit = action("submit", "send a draft for approval", _submit)
    submit.add_argument("id", type=int)
    submit.add_argument("--by", required=True, help="a member of staff with the editor role")
    approve = action("approve", "approve (someone other than the author)", _approve)
    approve.add_argument("id", type=int)
    approve.add_argument("--by", required=True, help="a member of staff with the approver role")
    approve.add_argument("--yes", action="store_true", help="do not ask after the preview")
    reject = action("reject", "send a submitted campaign back to draft", _reject)
    reject.add_argument("id", type=int)
    reject.add_argument("--by", required=True)
    reject.add_argument("--reason", default="")
    test = action("test", "send the campaign to yourself, now", _test)
    test.add_argument("id", type=int)
    test.add_argument("--by", required=True, help="the member of staff it goes to")
    test.add_argument("--to", help="CHANNEL:ID instead of their own account")
    test.add_argument("--lang", help="one language only")
    send = action("send", "send an approved campaign (or arm its schedule)", _send)
    send.add_argument("id", type=int)
    send.add_argument("--no-wait", action="store_true", help="return at once")
    send.add_argument("--by", help="who sends it (default: this console's user)")
    for name, help_text, func in (
        ("pause", "hold what is not sent yet", _pause),
        ("resume", "go on after a pause", _resume),
        ("cancel", "stop for good: what is not sent yet never goes", _cancel),
    ):
        parser = action(name, help_text, func)
        parser.add_argument("id", type=int)
        parser.add_argument("--by", help="who does it (default: this console's user)")
    stats = action("stats", "audience, sent, failed, unreachable, opted out, opens", _stats)
    stats.add_argument("id", type=int)
    stats.add_argument("--json", action="store_true")


def _run(
    func: Callable[[Campaigns, argparse.Namespace], Awaitable[int]], args: argparse.Namespace
) -> int:
    from bot.app import App
    from bot.storage.migrate import upgrade

    settings = load_settings()
    setup_logging("WARNING", settings.log_format)

    async def main() -> int:
        await upgrade(settings.database_url)
        app = App.create(settings)
        try:
            return await func(app.campaigns, args)
        finally:
            await app.close()

    try:
        return asyncio.run(main())
    except CampaignFileError as exc:
        print("\n".join(exc.problems), file=sys.stderr)
        return 1
    except CampaignError as exc:
        print(f"mangnon: {exc}", file=sys.stderr)
        return 1


def _console() -> str:
    return f"console:{getpass.getuser()}"[:32]


async def _create(campaigns: Campaigns, args: argparse.Namespace) -> int:
    campaign = await campaigns.create(args.file, args.by)
    print(campaign.id)
    return 0


def _line(c: Campaign) -> str:
    when = c.next_run_at.isoformat(timespec="minutes") if c.next_run_at else ""
    return f"{c.id}\t{c.status.value}\t{c.schedule.describe()}\t{when}\t{c.title}"


async def _list(campaigns: Campaigns, args: argparse.Namespace) -> int:
    for campaign in await campaigns.listing():
        if args.json:
            print(
                json.dumps(
                    {
                        "id": campaign.id,
                        "status": campaign.status.value,
                        "title": campaign.title,
                        "schedule": campaign.schedule.describe(),
                        "next_run_at": campaign.next_run_at.isoformat()
                        if campaign.next_run_at
                        else None,
                        "runs": campaign.runs,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            print(_line(campaign))
    return 0


async def _show(campaigns: Campaigns, args: argparse.Namespace) -> int:
    campaign, audit = await campaigns.get(args.id)
    print(f"#{campaign.id} {campaign.title}")
    print(f"status: {campaign.status.value}    schedule: {campaign.schedule.describe()}")
    print(f"audience: {campaign.audience.describe()}")
    print(f"languages: {', '.join(campaign.messages)}    from: {campaign.source or '-'}")
    people = (
        f"author {campaign.author or '-'}, submitted by {campaign.submitted_by or '-'}, "
        f"approved by {campaign.approved_by or '-'}"
    )
    print(people)
    if campaign.next_run_at:
        print(f"next run: {campaign.next_run_at.isoformat(timespec='minutes')}")
    print("audit:")
    for entry in audit:
        detail = f" ({entry.detail})" if entry.detail else ""
        print(f"  {entry.at.isoformat(timespec='seconds')}  {entry.actor}  {entry.action}{detail}")
    return 0


def _print_preview(preview: Preview) -> None:
    print(f"audience now: {preview.audience} subscribers")
    for _lang, label, replies in preview.versions:
        print(f"\n──── {label} ────")
        for reply in replies:
            _print_reply(reply)


def _print_reply(reply: Reply) -> None:
    for media in reply.media:
        print(f"[{media.kind.value}: {media.path}]")
    print(to_plain(reply.text) if reply.markdown else reply.text)
    for row in reply.buttons:
        print("  " + "  ".join(f"[{button.label}]" for button in row))


async def _preview(campaigns: Campaigns, args: argparse.Namespace) -> int:
    _print_preview(await campaigns.preview(args.id))
    return 0


async def _submit(campaigns: Campaigns, args: argparse.Namespace) -> int:
    campaign = await campaigns.submit(args.id, args.by)
    print(f"#{campaign.id} submitted by {campaign.submitted_by}: waiting for approval")
    return 0


async def _approve(campaigns: Campaigns, args: argparse.Namespace) -> int:
    _print_preview(await campaigns.preview(args.id))
    if not args.yes:
        answer = await asyncio.to_thread(input, "\nApprove this campaign? [y/N] ")
        if answer.strip().lower() not in ("y", "yes", "c", "co", "có"):
            print("not approved")
            return 1
    campaign = await campaigns.approve(args.id, args.by)
    print(
        f"#{campaign.id} approved by {campaign.approved_by} "
        f"(audience {campaign.audience_size}): send it with `mangnon campaign send {campaign.id}`"
    )
    return 0


async def _reject(campaigns: Campaigns, args: argparse.Namespace) -> int:
    campaign = await campaigns.reject(args.id, args.by, args.reason)
    print(f"#{campaign.id} is a draft again")
    return 0


async def _test(campaigns: Campaigns, args: argparse.Namespace) -> int:
    to = None
    if args.to:
        channel, _sep, external = args.to.partition(":")
        if not channel or not external:
            raise CampaignError("--to: CHANNEL:ID, e.g. telegram:123456789")
        to = UserRef(channel, external)
    langs = await campaigns.test(args.id, args.by, to, args.lang)
    print(f"test sent ({', '.join(langs)}): it arrives once the server (mangnon serve) sends it")
    return 0


async def _send(campaigns: Campaigns, args: argparse.Namespace) -> int:
    actor = await campaigns.actor(args.by, _console())
    campaign = await campaigns.send(args.id, actor)
    if campaign.status is CampaignStatus.SCHEDULED and campaign.next_run_at:
        print(
            f"#{campaign.id} scheduled: first run {campaign.next_run_at.isoformat(timespec='minutes')}"
        )
        return 0
    print(f"#{campaign.id} sending to {campaign.audience_size} subscribers")
    if args.no_wait:
        return 0
    return await _follow(campaigns, campaign.id)


async def _follow(campaigns: Campaigns, campaign_id: int) -> int:
    """A progress bar until nothing is left to send (Ctrl+C leaves the campaign running)."""
    stats = await campaigns.stats(campaign_id)
    bar = tqdm(total=stats.progress.queued, unit="msg", dynamic_ncols=True)
    last, still = stats.progress.finished, 0.0
    try:
        while True:
            progress = stats.progress
            bar.total = progress.queued
            bar.update(progress.finished - bar.n)
            bar.set_postfix(
                sent=progress.sent,
                failed=progress.failed,
                unreachable=progress.unreachable,
                stopped=progress.cancelled,
            )
            campaign, _audit = await campaigns.get(campaign_id)
            if not progress.waiting or campaign.status in (
                CampaignStatus.PAUSED,
                CampaignStatus.CANCELLED,
            ):
                break
            await asyncio.sleep(POLL_SECONDS)
            still = still + POLL_SECONDS if progress.finished == last else 0.0
            last = progress.finished
            if still >= STALL_SECONDS:
                bar.set_description("waiting (is `mangnon serve` running? quiet hours?)")
            stats = await campaigns.stats(campaign_id)
    except (KeyboardInterrupt, asyncio.CancelledError):
        bar.close()
        print(f"the campaign goes on: mangnon campaign stats {campaign_id}")
        return 0
    bar.close()
    _print_stats(stats)
    return 0


def _print_stats(stats: CampaignStats) -> None:
    for key, value in stats.to_json().items():
        print(f"{key.replace('_', ' ')}: {value}")


async def _stats(campaigns: Campaigns, args: argparse.Namespace) -> int:
    stats = await campaigns.stats(args.id)
    if args.json:
        print(json.dumps(stats.to_json()))
    else:
        _print_stats(stats)
    return 0


async def _pause(campaigns: Campaigns, args: argparse.Namespace) -> int:
    campaign = await campaigns.pause(args.id, await campaigns.actor(args.by, _console()))
    print(f"#{campaign.id} paused")
    return 0


async def _resume(campaigns: Campaigns, args: argparse.Namespace) -> int:
    campaign = await campaigns.resume(args.id, await campaigns.actor(args.by, _console()))
    print(f"#{campaign.id} {campaign.status.value}")
    return 0


async def _cancel(campaigns: Campaigns, args: argparse.Namespace) -> int:
    campaign = await campaigns.cancel(args.id, await campaigns.actor(args.by, _console()))
    print(f"#{campaign.id} cancelled")
    return 0
