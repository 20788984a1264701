"""``GET /interventions/{id}/report.pdf``: the intervention report built with fpdf2.

Sections: the intervention, its equipment, the technician, the timeline (from the audit
trail, as sentences with people's names and plain times) and the documents (from the
documents module when it is installed). Text is set in DejaVu Sans, shipped in ``fonts/``
(Bitstream Vera licence, ``fonts/LICENSE``), so every name prints as written (accents,
Greek, Cyrillic...); a character the font lacks is drawn as a blank rather than failing the
whole report.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from application.contracts.documents import DocumentSummary
from application.maintenance.timeline import plain_time
from application.maintenance.views import InterventionReportData

MEDIA_TYPE = "application/pdf"
_LABEL_WIDTH = 50
FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVu"

# fpdf2 logs every glyph the font lacks (and subsetting details) at INFO/WARNING
logging.getLogger("fpdf").setLevel(logging.ERROR)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _when(value: datetime | None) -> str:
    return plain_time(value) if value else "-"


def _size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"  # pragma: no cover


class _Report(FPDF):
    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(FAMILY, "", 8)
        self.cell(0, 10, f"Atelier - page {self.page_no()}", align="C")


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font(FAMILY, "B", 13)
    pdf.cell(0, 8, _text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "", 10)


def _rows(pdf: FPDF, rows: Iterable[tuple[str, object]]) -> None:
    for label, value in rows:
        pdf.set_font(FAMILY, "B", 10)
        pdf.cell(_LABEL_WIDTH, 6, _text(label))
        pdf.set_font(FAMILY, "", 10)
        pdf.multi_cell(0, 6, _text(value) or "-", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _paragraphs(pdf: FPDF, title: str, lines: Sequence[str]) -> None:
    _heading(pdf, title)
    if not lines:
        pdf.multi_cell(0, 6, "None.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for line in lines:
        pdf.multi_cell(0, 6, _text(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)


def _document_line(d: DocumentSummary) -> str:
    lock = ", encrypted" if d.encrypted else ""
    return f"{d.name} - {d.kind}, {_size(d.size)}{lock}, added {plain_time(d.created_at)}"


def intervention_report(data: InterventionReportData) -> bytes:
    i, e, t = data.intervention, data.equipment, data.technician
    pdf = _Report(format="A4")
    pdf.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(f"Intervention report - {i.title}")
    pdf.set_author("Atelier")
    pdf.set_creation_date(data.generated_at)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 16)
    pdf.multi_cell(0, 9, f"Intervention report: {i.title}", new_x=XPos.LMARGIN,
                   new_y=YPos.NEXT)  # fmt: skip
    pdf.set_font(FAMILY, "", 9)
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
                ("Name", data.technician_name or "-"),
                ("Specialty", t.specialty),
                ("Experience", t.experience_level.value),
                ("Skills", ", ".join(t.skills)),
                ("Phone", t.phone),
                ("Base location", t.base_location),
            ],
        )
    _paragraphs(pdf, "Timeline", [ev.text for ev in data.timeline])
    _paragraphs(pdf, "Documents", [_document_line(d) for d in data.documents])
    return bytes(pdf.output())
