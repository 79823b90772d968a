"""Ingestion: nothing lost, no furniture kept, stable sections (golden files per authority).

Regenerate the golden files after a deliberate change with
    UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_ingest.py
and review the diff: ids are public (citations, saved plans), so a changed id matters.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from assistant.core.authorities import AuthorityDirectory
from assistant.core.procedures.ingest import (
    classify_lines,
    derived_title,
    ingest,
    is_furniture,
    slugify,
)
from assistant.core.procedures.model import Section
from tests.conftest import KNOWLEDGE_DIR

GOLDEN_DIR = Path(__file__).parent / "golden" / "sections"
AUTHORITY_IDS = ["gateshead", "blackpool", "kent", "lewisham", "regional"]


def _sections(authorities: AuthorityDirectory, authority_id: str) -> tuple[str, list[Section]]:
    authority = authorities.get(authority_id)
    raw = (KNOWLEDGE_DIR / authority.procedure_file).read_text(encoding="utf-8")
    return raw, ingest(authority.id, raw, authority.source_version, authority.last_updated)


@pytest.mark.parametrize("authority_id", AUTHORITY_IDS)
def test_every_content_line_lands_in_exactly_one_section(
    authorities: AuthorityDirectory, authority_id: str
) -> None:
    raw, sections = _sections(authorities, authority_id)
    content = {
        n
        for n, line in enumerate(raw.splitlines(), start=1)
        if line.strip() and not is_furniture(line)
    }
    held = [n for s in sections for n in s.lines]
    assert len(held) == len(set(held)), "a line is in two sections"
    assert set(held) == content


@pytest.mark.parametrize("authority_id", AUTHORITY_IDS)
def test_no_furniture_survives(authorities: AuthorityDirectory, authority_id: str) -> None:
    _, sections = _sections(authorities, authority_id)
    for section in sections:
        for line in [section.title, *section.text.splitlines()]:
            assert not is_furniture(line), (section.id, line)
            assert "Skip to content" not in line and "Company Logo" not in line
            assert "heart_head_hand" not in line and "Last Updated" not in line


@pytest.mark.parametrize("authority_id", AUTHORITY_IDS)
def test_sections_match_the_golden_file(authorities: AuthorityDirectory, authority_id: str) -> None:
    _, sections = _sections(authorities, authority_id)
    snapshot = [
        {
            "id": s.id,
            "title": s.title,
            "heading_path": list(s.heading_path),
            "lines": list(s.lines),
            "hash": s.content_hash,
        }
        for s in sections
    ]
    golden = GOLDEN_DIR / f"{authority_id}.json"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(json.dumps(snapshot, indent=1, ensure_ascii=False) + "\n", "utf-8")
    assert snapshot == json.loads(golden.read_text(encoding="utf-8"))


@pytest.mark.parametrize("authority_id", AUTHORITY_IDS)
def test_ids_are_unique_and_stable_across_runs(
    authorities: AuthorityDirectory, authority_id: str
) -> None:
    _, first = _sections(authorities, authority_id)
    _, second = _sections(authorities, authority_id)
    ids = [s.id for s in first]
    assert len(ids) == len(set(ids))
    assert ids == [s.id for s in second]
    assert all(i.startswith(f"{authority_id}/") for i in ids)


def test_numbered_chapters_split_at_their_headings(authorities: AuthorityDirectory) -> None:
    _, kent = _sections(authorities, "kent")
    by_id = {s.id: s for s in kent}
    timescales = by_id["kent/11-timescales"]
    assert timescales.title == "11. Timescales"
    assert "45 working days" in timescales.text
    pre_birth = by_id["kent/11-1-pre-birth-good-practice-steps"]
    assert pre_birth.heading_path[-1] == "11.1 Pre-birth 'Good Practice Steps'"
    nrm = by_id["kent/16-the-national-referral-mechanism"]
    assert nrm.heading_path[1:] == (
        "16. Assessment of Risk Outside the Home",
        "The National Referral Mechanism",
    )


def test_lists_stay_with_the_sentence_that_introduces_them(
    authorities: AuthorityDirectory,
) -> None:
    _, gateshead = _sections(authorities, "gateshead")
    planning = next(s for s in gateshead if s.title.startswith("Questions to be considered"))
    assert len(planning.passages) == 1
    lines = planning.text.splitlines()
    assert lines[0] == "Questions to be considered in planning assessments include:"
    assert all(line.lstrip().startswith("•") for line in lines[1:])
    assert len(lines) == 15


@pytest.mark.parametrize(
    ("line", "furniture"),
    [
        ("Skip to content", True),
        ("Company Logo", True),
        ("heart_head_hand", True),
        ("support_control", True),
        ("chapter_blue_triangle", True),
        ("Last Updated: May 1, 2024", True),
        ("v38", True),
        ("Assessments", False),
        ("11. Timescales", False),
        ("  • use an interpreter;", False),
        ("December 23, 2025", False),
    ],
)
def test_furniture_rules(line: str, furniture: bool) -> None:
    assert is_furniture(line) is furniture


def test_in_a_run_of_title_lines_only_the_last_heads_the_text_after_it() -> None:
    raw = "Title\n\nLinks\n\nFirst link title\n\nSecond link title\n\nBody text here.\n"
    kinds = [(line.text, line.kind) for line in classify_lines(raw)]
    assert kinds == [
        ("Title", "heading"),
        ("Links", "paragraph"),
        ("First link title", "paragraph"),
        ("Second link title", "heading"),
        ("Body text here.", "paragraph"),
    ]


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("11.1 Pre-birth 'Good Practice Steps'", "11-1-pre-birth-good-practice-steps"),
        ("Child\u2019s Developmental Needs", "childs-developmental-needs"),
        ("A" * 10 + " " + "b" * 70, "aaaaaaaaaa"),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_derived_titles_use_the_opening_words() -> None:
    assert derived_title("The purpose of the assessment is:\n  • one") == (
        "The purpose of the assessment is"
    )
    assert derived_title("One two three four five six seven eight nine ten eleven.") == (
        "One two three four five six seven eight nine…"
    )
