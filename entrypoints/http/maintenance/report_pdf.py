"""``GET /interventions/{id}/report.pdf``: the intervention report built with fpdf2.

Sections: the intervention, its equipment, the technician, the timeline (from the audit
trail) and the documents (an empty list until the documents module fills it). The core
Helvetica font covers Latin-1 only: other characters are replaced by ``?`` rather than
failing the whole report.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from application.maintenance.views import InterventionReportData

MEDIA_TYPE = "application/pdf"
_LABEL_WIDTH = 50


def _latin1(value: object) -> str:
    text = "" if value is None else str(value)
    return text.encode("latin-1", "replace").decode("latin-1")


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "-"


class _Report(FPDF):
    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Helvetica", "I", 8)
        self.cell(0, 10, f"Atelier - page {self.page_no()}", align="C")


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 8, _latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 10)


def _rows(pdf: FPDF, rows: Iterable[tuple[str, object]]) -> None:
    for label, value in rows:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(_LABEL_WIDTH, 6, _latin1(label))
        pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(0, 6, _latin1(value) or "-", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _changes(changes: Any) -> str:
    if not isinstance(changes, dict) or not changes:
        return ""
    parts = []
    for name, pair in changes.items():
        if isinstance(pair, list | tuple) and len(pair) == 2:
            parts.append(f"{name}: {pair[0]} -> {pair[1]}")
        else:
            parts.append(f"{name}: {pair}")
    return "; ".join(parts)


def _paragraphs(pdf: FPDF, title: str, lines: Sequence[str]) -> None:
    _heading(pdf, title)
    if not lines:
        pdf.multi_cell(0, 6, "None.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for line in lines:
        pdf.multi_cell(0, 6, _latin1(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def intervention_report(data: InterventionReportData) -> bytes:
    i, e, t = data.intervention, data.equipment, data.technician
    pdf = _Report(format="A4")
    pdf.set_title(_latin1(f"Intervention report - {i.title}"))
    pdf.set_author("Atelier")
    pdf.set_creation_date(data.generated_at)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 9, _latin1(f"Intervention report: {i.title}"), new_x=XPos.LMARGIN,
                   new_y=YPos.NEXT)  # fmt: skip
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(0, 6, f"Generated {_when(data.generated_at)}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    _heading(pdf, "Intervention")
    _rows(
        pdf,
        [
            ("Id", i.id),
            ("Status", i.status.value),
            ("Type", i.type.value),
            ("Priority", i.priority.value + (" (urgent)" if i.urgent else "")),
            ("Required skills", ", ".join(i.required_skills)),
            ("Due", _when(i.due_at)),
            ("Scheduled", _when(i.scheduled_at)),
            ("Estimated minutes", i.estimated_minutes if i.estimated_minutes else "-"),
            ("Started", _when(i.started_at)),
            ("Completed", _when(i.completed_at)),
            ("Overdue", "yes" if i.overdue else "no"),
            ("Description", i.description),
            ("Report", i.report),
            ("Cancel reason", i.cancel_reason),
        ],
    )
    _heading(pdf, "Equipment")
    _rows(
        pdf,
        [
            ("Name", e.name),
            ("Type", e.type),
            ("Model", e.model),
            ("Serial number", e.serial_number),
            ("Location", e.location),
            ("Status", e.status.value),
            ("Last maintenance", _when(e.last_maintenance_at)),
            ("Next maintenance", _when(e.next_maintenance_at)),
        ],
    )
    _heading(pdf, "Technician")
    if t is None:
        _rows(pdf, [("Assigned", "nobody")])
    else:
        _rows(
            pdf,
            [
                ("Id", t.id),
                ("Specialty", t.specialty),
                ("Experience", t.experience_level.value),
                ("Skills", ", ".join(t.skills)),
                ("Phone", t.phone),
                ("Base location", t.base_location),
            ],
        )
    timeline = [
        f"{_when(ev.at)}  {ev.action}  {_changes(ev.changes)}".rstrip() for ev in data.timeline
    ]
    _paragraphs(pdf, "Timeline", timeline)
    _paragraphs(pdf, "Documents", [str(d) for d in data.documents])
    return bytes(pdf.output())
