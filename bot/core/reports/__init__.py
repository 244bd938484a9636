"""Reports for the plan's periodic reviews: aggregates only, small groups hidden.

``build.build_report`` asks a ``ReportSource`` (``bot.storage.reports``) for counts over a period
and returns a ``Report`` of tables; ``export`` writes it as CSV, XLSX or JSON. No table holds
message text or anything about one person; a count of 1 to ``min_group - 1`` is shown as
"< min_group" so that no child can be singled out.
"""

from bot.core.reports.build import (
    SECTIONS,
    CampaignReach,
    CaseFacts,
    ReportSource,
    build_report,
)
from bot.core.reports.model import Cell, Period, Report, Table

__all__ = [
    "SECTIONS",
    "CampaignReach",
    "CaseFacts",
    "Cell",
    "Period",
    "Report",
    "ReportSource",
    "Table",
    "build_report",
]
