"""Editors' pages: content status and draft previews, unanswered questions, feedback."""

from __future__ import annotations

from datetime import date, timedelta

from aiohttp import web

from bot.channels.markdown import to_html
from bot.core.admin.content import content_status, expiring, topic_lookup
from bot.core.admin.unanswered import group
from bot.core.cases.model import StaffRole
from bot.core.reports import build_report
from bot.core.reports.build import feedback
from bot.web.context import context_of, store_of
from bot.web.periods import period_from
from bot.web.security import requires
from bot.web.templating import render

UNANSWERED_DAYS = 90


def today(request: web.Request) -> date:
    context = context_of(request)
    return context.pipeline.clock.now().astimezone(context.zone).date()


@requires(StaffRole.EDITOR)
async def content_page(request: web.Request) -> web.Response:
    library = context_of(request).pipeline.services.content.library
    rows = content_status(library, today(request))
    topic = request.query.get("topic", "")
    lang = request.query.get("lang", "")
    shown = [r for r in rows if (not topic or r.topic == topic) and (not lang or r.lang == lang)]
    return render(
        request,
        "content.html",
        rows=shown,
        expiring=expiring(rows),
        topics=sorted({r.topic for r in rows}),
        langs=sorted({r.lang for r in rows}),
        topic=topic,
        lang=lang,
    )


@requires(StaffRole.EDITOR)
async def preview(request: web.Request) -> web.Response:
    """Any version, drafts included, as the web chat would show it."""
    library = context_of(request).pipeline.services.content.library
    article = library.articles.get((request.match_info["id"], request.match_info["lang"]))
    if article is None:
        raise web.HTTPNotFound(text="no such article")
    return render(request, "preview.html", article=article, body=to_html(article.body))


@requires(StaffRole.EDITOR)
async def unanswered_page(request: web.Request) -> web.Response:
    since = context_of(request).pipeline.clock.now() - timedelta(days=UNANSWERED_DAYS)
    groups = group(await store_of(request).unanswered.since(since))
    return render(request, "unanswered.html", groups=groups, days=UNANSWERED_DAYS)


@requires(StaffRole.EDITOR)
async def feedback_page(request: web.Request) -> web.Response:
    context = context_of(request)
    period, error = period_from(request.query, today(request), default_days=90)
    report = await build_report(
        store_of(request).reports,
        period,
        context.zone,
        context.report_min_group,
        topic_lookup(context.pipeline.services.content.library),
        context.pipeline.clock.now(),
        sections=[feedback],
    )
    return render(request, "feedback.html", table=report.tables[0], period=period, error=error)


ROUTES = (
    ("GET", "/content", content_page),
    ("GET", "/content/{id}/{lang}", preview),
    ("GET", "/unanswered", unanswered_page),
    ("GET", "/feedback", feedback_page),
)
