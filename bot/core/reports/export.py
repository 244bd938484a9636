"""A report as CSV (one section after another), XLSX (a sheet per table) or JSON."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from bot.core.reports.model import Report

FORMATS = ("csv", "xlsx", "json")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def _about(report: Report) -> list[tuple[str, str]]:
    return [
        ("period", str(report.period)),
        ("generated", report.generated_at.isoformat(timespec="seconds")),
        ("smallest group shown", str(report.min_group)),
        ("note", f"counts from 1 to {report.min_group - 1} are shown as '< {report.min_group}'"),
    ]


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "label", "column", "value"])
    for key, value in _about(report):
        writer.writerow(["about", key, "", value])
    for table in report.tables:
        for label, cells in table.rows:
            for column, cell in zip(table.columns[1:], cells, strict=True):
                writer.writerow([table.key, label, column, cell])
    return out.getvalue()


def to_json(report: Report) -> str:
    data: dict[str, Any] = dict(_about(report))
    data["tables"] = {
        table.key: {
            "title": table.title,
            "columns": list(table.columns),
            "rows": [[label, *cells] for label, cells in table.rows],
        }
        for table in report.tables
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    about = book.active
    assert about is not None
    about.title = "about"
    for row in _about(report):
        about.append(list(row))
    for table in report.tables:
        sheet = book.create_sheet(table.key[:31])
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True)
        sheet.append(list(table.columns))
        for label, cells in table.rows:
            sheet.append([label, *cells])
        sheet.column_dimensions["A"].width = 36
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export(report: Report, fmt: str) -> bytes:
    if fmt == "csv":
        return to_csv(report).encode("utf-8-sig")  # a BOM: spreadsheet programs read UTF-8 then
    if fmt == "xlsx":
        return to_xlsx(report)
    if fmt == "json":
        return to_json(report).encode()
    raise ValueError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
