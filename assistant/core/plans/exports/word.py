"""The plan as a Word document for the worker's manager: the Markdown export's headings as
Word headings (Heading 1 for sections, Heading 2 for planning questions), so that Word's
navigation pane lists them, and the actions as a real table."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import UTC, datetime

import docx
from docx.document import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from assistant.core.plans.exports import common
from assistant.core.plans.presenting import PlanView, QuestionView
from assistant.core.timescales.formatting import long_date

TICKED, UNTICKED = "☒", "☐"
# Characters XML 1.0 cannot hold (a worker's pasted text may carry them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(text: str) -> str:
    return _NOT_XML.sub("", text)


def _table(document: Document, header: Sequence[str] | None, rows: Sequence[Sequence[str]]) -> None:
    table = document.add_table(rows=0, cols=len(header or rows[0]))
    table.style = "Table Grid"
    if header:
        cells = table.add_row().cells
        for cell, title in zip(cells, header, strict=True):
            cell.paragraphs[0].add_run(title).bold = True
        # Repeat the header row at the top of each page the table runs onto.
        tr_pr = table.rows[0]._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        tr_pr.append(repeat)
    for row in rows:
        for cell, value in zip(table.add_row().cells, row, strict=True):
            cell.text = _text(value)


def _particulars(document: Document, view: PlanView) -> None:
    rows = common.header_rows(view)
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in rows:
        label_cell, value_cell = table.add_row().cells
        label_cell.paragraphs[0].add_run(label).bold = True
        value_cell.text = _text(value)


def _question(document: Document, question: QuestionView, view: PlanView) -> None:
    document.add_heading(question.heading, level=2)
    document.add_paragraph(_text(common.answer_text(question)))
    if question.quote:
        document.add_paragraph(_text(question.quote), style="Quote")
    source = document.add_paragraph()
    run = source.add_run(_text(f"Source: {common.citation_text(question.citation, view)}"))
    run.italic = True
    run.font.size = Pt(9)


def _bullets(document: Document, lines: Sequence[str], empty: str) -> None:
    for line in lines:
        document.add_paragraph(_text(line), style="List Bullet")
    if not lines:
        document.add_paragraph(empty)


def plan_docx(view: PlanView, now: datetime | None = None) -> bytes:
    """The Word document; `now` is when it was generated (said in the footer), the current
    time when not given. Pass it to get the same document twice."""
    now = now or datetime.now(UTC)
    plan = view.plan
    document = docx.Document()
    properties = document.core_properties
    properties.title = f"{common.TITLE} {plan.id}"
    properties.subject = view.authority_name
    properties.author = "Practice assistant"
    properties.last_modified_by = "Practice assistant"
    properties.comments = common.CLOSING
    properties.keywords = ""
    # Word stores these in UTC, without a zone.
    stamp = now.astimezone(UTC).replace(tzinfo=None) if now.tzinfo else now
    properties.created = properties.modified = stamp

    document.add_heading(common.TITLE, level=0)
    _particulars(document, view)

    document.add_heading(common.DATES, level=1)
    _bullets(document, [common.date_line(d) for d in view.dates], common.no_dates_text(view))
    for warning in view.warnings:
        paragraph = document.add_paragraph(style="List Bullet")
        paragraph.add_run("Warning: ").bold = True
        paragraph.add_run(_text(warning))

    document.add_heading(common.PLANNING, level=1)
    for question in view.questions:
        _question(document, question, view)

    document.add_heading(common.ACTIONS, level=1)
    if view.actions:
        _table(document, common.ACTION_COLUMNS, [common.action_row(a) for a in view.actions])
    else:
        document.add_paragraph("No actions yet.")

    document.add_heading(common.REVIEW_POINTS, level=1)
    _bullets(document, [f"{long_date(r.when)}: {r.label}" for r in view.review_points], "None yet.")

    document.add_heading(common.MANAGER_REVIEW, level=1)
    for item in view.checklist:
        document.add_paragraph(_text(f"{TICKED if item.ticked else UNTICKED} {item.label}"))
    if not view.checklist:
        document.add_paragraph("This procedure gives no review checklist.")

    document.add_heading(common.STILL_OPEN, level=1)
    _bullets(
        document, [common.open_line(q) for q in view.open_questions], common.nothing_open_text()
    )

    document.add_heading(common.SOURCES, level=1)
    _bullets(document, [common.citation_text(c, view) for c in view.citations], "None.")

    generated = f"Plan {plan.id}, version {plan.version}. Generated {long_date(now.date())}."
    closing = document.add_paragraph()
    closing.add_run(common.CLOSING).italic = True
    document.add_paragraph(generated)
    footer = document.sections[0].footer.paragraphs[0]
    footer.text = generated
    footer.runs[0].font.size = Pt(8)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
