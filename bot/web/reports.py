"""Reporters' pages: a period's report with charts, and its export as CSV, XLSX or JSON."""

from __future__ import annotations

from aiohttp import web

from bot.core.admin.audit import AdminAuditEntry
from bot.core.admin.content import topic_lookup
from bot.core.cases.model import StaffRole
from bot.core.reports import Period, Report, build_report
from bot.core.reports.export import FORMATS, MEDIA_TYPES, export
from bot.web.charts import bar_chart
from bot.web.context import ACCOUNT, context_of, store_of
from bot.web.editor import today
from bot.web.periods import period_from
from bot.web.security import requires
from bot.web.templating import render

DEFAULT_DAYS = 30


async def _report(request: web.Request, period: Period) -> Report:
    context = context_of(request)
    return await build_report(
        store_of(request).reports,
        period,
        context.zone,
        context.report_min_group,
        topic_lookup(context.pipeline.services.content.library),
        context.pipeline.clock.now(),
    )


@requires(StaffRole.REPORTER)
async def reports_page(request: web.Request) -> web.Response:
    period, error = period_from(request.query, today(request), DEFAULT_DAYS)
    report = await _report(request, period)
    charts = {t.key: bar_chart(t) for t in report.tables}
    return render(
        request, "reports.html", report=report, charts=charts, error=error, formats=FORMATS
    )


@requires(StaffRole.REPORTER)
async def export_report(request: web.Request) -> web.Response:
    fmt = request.query.get("format", "csv")
    if fmt not in FORMATS:
        raise web.HTTPBadRequest(text=f"format must be one of {', '.join(FORMATS)}")
    period, error = period_from(request.query, today(request), DEFAULT_DAYS)
    if error:
        raise web.HTTPBadRequest(text=error)
    report = await _report(request, period)
    account = request[ACCOUNT]
    await store_of(request).audit.append(
        AdminAuditEntry(
            context_of(request).pipeline.clock.now(),
            account.id,
            account.pseudonym,
            "report-exported",
            f"report:{period}",
            fmt,
        )
    )
    name = f"mangnon-report-{period.start}-{period.end}.{fmt}"
    return web.Response(
        body=export(report, fmt),
        headers={
            "Content-Type": MEDIA_TYPES[fmt],
            "Content-Disposition": f'attachment; filename="{name}"',
        },
    )


ROUTES = (
    ("GET", "/reports", reports_page),
    ("GET", "/reports/export", export_report),
)
