"""Campaign pages: the list, composing one, and a campaign's page with its preview per language,
audience size, audit trail, live progress, statistics and the actions the member's roles allow.

Every action is the campaigns core's (``bot.core.campaigns.service.Campaigns``), the same as
``mangnon campaign``: the core checks the status, the roles it knows (submit: editor; approve and
reject: approver, never the author or the submitter) and writes the campaign's audit trail; these
pages check the roles of the operational steps too (pause, resume, cancel: editor) and add each
action to the admin audit log. The compose form becomes data in a campaign file's shape, checked
by the same rules as a file (``spec.from_data``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from bot.channels.markdown import to_html
from bot.core.admin.accounts import Account
from bot.core.admin.audit import AdminAuditEntry
from bot.core.campaigns.model import WEEKDAYS, Campaign, CampaignStatus, Progress
from bot.core.campaigns.service import CampaignError, Campaigns
from bot.core.campaigns.spec import AGE_BANDS, ROLES, CampaignFileError
from bot.core.cases.model import StaffId, StaffRole
from bot.web.context import ACCOUNT, context_of, store_of
from bot.web.security import clean_post, redirect, requires
from bot.web.templating import render

S = CampaignStatus
E, A = StaffRole.EDITOR, StaffRole.APPROVER
POLL_SECONDS = 5
LIVE = (S.APPROVED, S.SCHEDULED, S.SENDING, S.PAUSED)  # the page follows its progress

# each action: the roles that may take it, and the statuses it is offered in
VERBS: dict[str, tuple[tuple[StaffRole, ...], tuple[CampaignStatus, ...]]] = {
    "submit": ((E,), (S.DRAFT,)),
    "approve": ((A,), (S.SUBMITTED,)),
    "reject": ((A,), (S.SUBMITTED, S.APPROVED)),
    "test": ((E, A), tuple(s for s in S if not s.final)),
    "send": ((E, A), (S.APPROVED,)),
    "pause": ((E,), (S.SCHEDULED, S.SENDING)),
    "resume": ((E,), (S.PAUSED,)),
    "cancel": ((E,), tuple(s for s in S if not s.final)),
}


def _core(request: web.Request) -> Campaigns:
    campaigns = context_of(request).campaigns
    if campaigns is None:
        raise web.HTTPNotFound(text="campaigns are not available here")
    return campaigns


def _id(request: web.Request) -> int:
    try:
        return int(request.match_info["campaign_id"])
    except ValueError:
        raise web.HTTPNotFound() from None


async def _audit(request: web.Request, action: str, campaign_id: int, detail: str = "") -> None:
    account: Account = request[ACCOUNT]
    now = context_of(request).pipeline.clock.now()
    await store_of(request).audit.append(
        AdminAuditEntry(
            now, account.id, account.pseudonym, action, f"campaign:{campaign_id}", detail
        )
    )


# ---- the list ---------------------------------------------------------------------------------


@requires(E, A)
async def list_page(request: web.Request) -> web.Response:
    campaigns = _core(request)
    rows: list[tuple[Campaign, Progress | None]] = []
    for campaign in await campaigns.listing():
        progress = await campaigns.progress(campaign.id) if campaign.runs else None
        rows.append((campaign, progress))
    return render(request, "campaigns.html", rows=rows, compose=request[ACCOUNT].can(E))


# ---- composing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choices:
    """What the compose form offers: the deployment's languages, library, communes, topics."""

    default: str
    languages: list[tuple[str, str]]  # (code, label)
    articles: list[tuple[str, list[tuple[str, str]]]]  # topic → (article id, title)
    communes: list[tuple[str, str]]  # (code, label)
    topics: list[tuple[str, str]]  # (pillar id, name)
    roles: tuple[str, ...] = ROLES
    age_bands: tuple[str, ...] = AGE_BANDS
    weekdays: tuple[str, ...] = WEEKDAYS


def _choices(request: web.Request) -> Choices:
    services = context_of(request).pipeline.services
    default = services.options.default_locale
    library = services.content.library
    titles: dict[str, tuple[str, str]] = {}  # article id → (topic, title), the default's first
    for (article_id, _lang), article in sorted(
        library.articles.items(), key=lambda item: item[0][1] != default
    ):
        titles.setdefault(article_id, (article.topic, article.title))
    by_topic: dict[str, list[tuple[str, str]]] = {}
    for article_id, (topic, title) in sorted(titles.items(), key=lambda i: (i[1][0], i[1][1])):
        by_topic.setdefault(topic, []).append((article_id, title))
    languages = sorted(
        ((lang.code, lang.label) for lang in services.languages.real),
        key=lambda item: (item[0] != default, item[0] != "en"),
    )
    return Choices(
        default=default,
        languages=languages,
        articles=sorted(by_topic.items()),
        communes=[(c.code, c.label) for c in services.communes.communes],
        topics=[(p.id, p.names.get("en") or p.names.get(default) or p.id) for p in library.pillars],
    )


@dataclass(frozen=True)
class Values:
    """What was typed in the form, to show it again beside the problems."""

    one: dict[str, str]
    many: dict[str, list[str]]

    def get(self, name: str, default: str = "") -> str:
        return self.one.get(name, default)

    def has(self, name: str, value: str) -> bool:
        return value in self.many.get(name, [])


MANY = ("articles", "languages", "roles", "age_bands", "communes", "topics")


def _values(form: MultiDictProxy[Any] | None) -> Values:
    if form is None:
        return Values({"schedule": "now", "day": "monday", "time": "08:00"}, {})
    one = {k: v.strip() for k, v in form.items() if isinstance(v, str) and k not in MANY}
    many = {k: [str(v) for v in form.getall(k, [])] for k in MANY}
    return Values(one, many)


def campaign_data(values: Values, default: str, languages: list[str]) -> dict[str, Any]:
    """The form as data in a campaign file's shape (``bot.core.campaigns.spec``); nothing is
    checked here: the core checks it as it checks a file."""
    buttons = [{"article": a} for a in values.many.get("articles", [])]
    messages: dict[str, Any] = {}
    for lang in languages:
        text = values.get(f"text-{lang}")
        if text or lang == default:  # the default's is required: an empty one is named
            messages[lang] = {"text": text, "buttons": buttons}
    audience: dict[str, Any] = {k: values.many[k] for k in MANY[1:] if values.many.get(k)}
    days = values.get("active_within_days")
    if days:
        audience["active_within_days"] = days
    schedule: Any = "now"
    if values.get("schedule") == "at":
        schedule = {"at": values.get("at")}
    elif values.get("schedule") == "weekly":
        weekly = {"day": values.get("day"), "time": values.get("time")}
        if values.get("until"):
            weekly["until"] = values.get("until")
        schedule = {"weekly": weekly}
    return {
        "title": values.get("title"),
        "messages": messages,
        "audience": audience,
        "schedule": schedule,
    }


def _compose(
    request: web.Request, values: Values, problems: list[str], status: int = 200
) -> web.Response:
    choices = _choices(request)
    return render(
        request,
        "campaign_new.html",
        status=status,
        choices=choices,
        values=values,
        problems=problems,
        others_open=any(values.get(f"text-{code}") for code, _ in choices.languages[2:]),
    )


@requires(E)
async def compose_page(request: web.Request) -> web.Response:
    return _compose(request, _values(None), [])


@requires(E)
async def create(request: web.Request) -> web.Response:
    values = _values(await clean_post(request))
    choices = _choices(request)
    data = campaign_data(values, choices.default, [code for code, _ in choices.languages])
    try:
        campaign = await _core(request).create_from(data, StaffId(request[ACCOUNT].id))
    except CampaignFileError as exc:
        return _compose(request, values, exc.problems, status=400)
    except CampaignError as exc:
        return _compose(request, values, [str(exc)], status=403)
    await _audit(request, "campaign-created", campaign.id)
    return await redirect(
        request, f"/admin/campaigns/{campaign.id}", "Draft saved. Check the preview, then submit."
    )


# ---- a campaign -------------------------------------------------------------------------------


def _actions(campaign: Campaign, account: Account) -> list[str]:
    return [
        verb
        for verb, (roles, statuses) in VERBS.items()
        if campaign.status in statuses and any(account.can(r) for r in roles)
    ]


def own(campaign: Campaign, account: Account) -> bool:
    """Four eyes: the author or the submitter may not approve it."""
    return account.pseudonym in (campaign.author, campaign.submitted_by)


@requires(E, A)
async def campaign_page(request: web.Request) -> web.Response:
    campaigns = _core(request)
    try:
        campaign, audit = await campaigns.get(_id(request))
        preview = await campaigns.preview(campaign.id)
        stats = await campaigns.stats(campaign.id)
    except CampaignError as exc:
        raise web.HTTPNotFound(text=str(exc)) from None
    account: Account = request[ACCOUNT]
    versions = [
        (lang, label, [(to_html(r.text), r) for r in replies])
        for lang, label, replies in preview.versions
    ]
    return render(
        request,
        "campaign.html",
        campaign=campaign,
        audit=audit,
        audience=preview.audience,
        versions=versions,
        stats=stats,
        actions=_actions(campaign, account),
        own=own(campaign, account),
        live=campaign.status in LIVE,
        poll=POLL_SECONDS,
    )


@requires(E, A)
async def progress_fragment(request: web.Request) -> web.Response:
    campaigns = _core(request)
    try:
        campaign, _audit_log = await campaigns.get(_id(request))
        stats = await campaigns.stats(campaign.id)
    except CampaignError as exc:
        raise web.HTTPNotFound(text=str(exc)) from None
    return render(request, "_campaign_progress.html", campaign=campaign, stats=stats)


Action = Callable[[Campaigns, int, Account, dict[str, str]], Awaitable[str]]


async def _submit(core: Campaigns, cid: int, me: Account, form: dict[str, str]) -> str:
    await core.submit(cid, StaffId(me.id))
    return "Submitted: an approver other than you must now approve it."


async def _approve(core: Campaigns, cid: int, me: Account, form: dict[str, str]) -> str:
    campaign = await core.approve(cid, StaffId(me.id))
    return f"Approved, for an audience of {campaign.audience_size}. It goes when sent."


async def _reject(core: Campaigns, cid: int, me: Account, form: dict[str, str]) -> str:
    await core.reject(cid, StaffId(me.id), form.get("reason", ""))
    return "Sent back to draft."


async def _test(core: Campaigns, cid: int, me: Account, form: dict[str, str]) -> str:
    langs = await core.test(cid, StaffId(me.id), lang=form.get("lang") or None)
    return f"Test sent to your own chat account ({', '.join(langs)})."


async def _send(core: Campaigns, cid: int, me: Account, form: dict[str, str]) -> str:
    campaign = await core.send(cid, me.pseudonym)
    if campaign.status is S.SCHEDULED:
        return f"Scheduled: the first run is due {campaign.schedule.describe()}."
    return f"Sending to {campaign.audience_size} subscribers."


async def _pause(core: Campaigns, cid: int, me: Account, form: dict[str, str]) -> str:
    await core.pause(cid, me.pseudonym)
    return "Paused: nothing more goes until it is resumed."


async def _resume(core: Campaigns, cid: int, me: Account, form: dict[str, str]) -> str:
    await core.resume(cid, me.pseudonym)
    return "Resumed."


async def _cancel(core: Campaigns, cid: int, me: Account, form: dict[str, str]) -> str:
    await core.cancel(cid, me.pseudonym)
    return "Cancelled: what was not sent yet will not go."


ACTIONS: dict[str, Action] = {
    "submit": _submit,
    "approve": _approve,
    "reject": _reject,
    "test": _test,
    "send": _send,
    "pause": _pause,
    "resume": _resume,
    "cancel": _cancel,
}


@requires(E, A)
async def act(request: web.Request) -> web.Response:
    account: Account = request[ACCOUNT]
    campaign_id = _id(request)
    verb = request.match_info["verb"]
    roles, _statuses = VERBS[verb]
    if not any(account.can(r) for r in roles):
        await _audit(request, f"campaign-{verb}", campaign_id, "refused: role")
        await store_of(request).commit()  # kept although the answer is an error
        raise web.HTTPForbidden(text=f"your roles do not include: {verb} a campaign")
    form = {k: v for k, v in (await clean_post(request)).items() if isinstance(v, str)}
    back = f"/admin/campaigns/{campaign_id}"
    try:
        notice = await ACTIONS[verb](_core(request), campaign_id, account, form)
    except CampaignError as exc:
        await _audit(request, f"campaign-{verb}", campaign_id, "refused")
        return await redirect(request, back, f"Not done: {exc}.")
    await _audit(request, f"campaign-{verb}", campaign_id)
    return await redirect(request, back, notice)


ROUTES = (
    ("GET", "/campaigns", list_page),
    ("GET", "/campaigns/new", compose_page),
    ("POST", "/campaigns", create),
    ("GET", "/campaigns/{campaign_id}", campaign_page),
    ("GET", "/campaigns/{campaign_id}/progress", progress_fragment),
    ("POST", "/campaigns/{campaign_id}/{verb:" + "|".join(VERBS) + "}", act),
)
