"""Retrieval over the real procedures: table-driven questions, topics, must/should, changes.

These questions are written for the tests; the development set in ../shared/eval is
measured separately over HTTP with run_eval.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core.authorities import UnknownAuthorityError
from assistant.core.procedures.changes import (
    diff,
    fingerprints,
    read_snapshot,
    write_snapshot,
)
from assistant.core.procedures.glossary import UnknownTermError
from assistant.core.procedures.ingest import ingest
from assistant.core.procedures.knowledge_base import (
    KnowledgeBase,
    UnknownSectionError,
    UnknownTopicError,
    build_knowledge_base,
)
from assistant.core.procedures.statements import Force, classify, statements
from tests.conftest import KNOWLEDGE_DIR


@pytest.fixture(scope="module")
def knowledge() -> KnowledgeBase:
    return build_knowledge_base(KNOWLEDGE_DIR)


@pytest.mark.parametrize(
    ("question", "authority", "topic"),
    [
        (
            "young person sleeping at friends houses, dad kicked him out",
            "gateshead",
            "homeless-16-17",
        ),
        ("can the assessment go past 45 working days", "lewisham", "timescales"),
        ("uncle lives in Jamaica and wants to care for the children", "kent", "family-abroad"),
        ("girl may have been brought to the UK and forced to work", "regional", "trafficking-nrm"),
        ("mum's EDD is in June, when do we start the assessment", "blackpool", "pre-birth"),
        (
            "the parents keep cancelling visits and won't engage",
            "gateshead",
            "hostility-non-compliance",
        ),
        ("what should the written assessment include", "lewisham", "what-to-include"),
        ("do I need to tell the police about a suspected assault", "kent", "police-notification"),
        ("child is not going to school at all", "gateshead", "education-not-attending"),
        ("what are the possible outcomes of the assessment", "blackpool", "outcomes-and-decisions"),
        ("how do we do safety planning with the family network", "blackpool", "safety-planning"),
        ("what does Signs of Safety mean for my assessment", "lewisham", "practice-framework"),
        ("which agencies should contribute to the assessment", "regional", "agency-contributions"),
        ("a disabled child's carer wants support", "kent", "disabled-children-young-carers"),
    ],
)
def test_questions_find_sections_on_their_topic_in_the_top_three(
    knowledge: KnowledgeBase, question: str, authority: str, topic: str
) -> None:
    hits = knowledge.search(question, authority, k=3)
    assert hits, question
    assert all(h.section.authority == authority for h in hits)
    assert topic in {t for h in hits for t in h.section.topics}, [h.section.id for h in hits]


def test_results_are_ordered_by_score_with_snippets(knowledge: KnowledgeBase) -> None:
    hits = knowledge.search("NRM referral consent", "kent", k=5)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(0 < len(h.snippet) <= 281 for h in hits)
    assert hits[0].section.id == "kent/16-the-national-referral-mechanism"


def test_other_authorities_fill_places_the_workers_cannot(knowledge: KnowledgeBase) -> None:
    # Kent's chapter has no section on hostile parents; others' do.
    hits = knowledge.search("hostile parent disguised compliance", "kent", k=5)
    own = [h for h in hits if h.section.authority == "kent"]
    assert hits[: len(own)] == own, "the worker's authority comes first"


def test_unknown_authority_names_the_valid_ones(knowledge: KnowledgeBase) -> None:
    with pytest.raises(UnknownAuthorityError, match="gateshead"):
        knowledge.search("timescales", "narnia")


def test_a_question_of_stop_words_finds_nothing(knowledge: KnowledgeBase) -> None:
    assert knowledge.search("the and of", "kent") == []


def test_compare_gives_one_topic_for_every_authority(knowledge: KnowledgeBase) -> None:
    compared = knowledge.compare("trafficking-nrm")
    assert list(compared) == ["gateshead", "blackpool", "kent", "lewisham", "regional"]
    assert all("trafficking-nrm" in s.topics for ss in compared.values() for s in ss)
    assert compared["kent"]
    with pytest.raises(UnknownTopicError, match="timescales"):
        knowledge.compare("no-such-topic")


def test_coverage_report_lists_covered_and_missing_topics(knowledge: KnowledgeBase) -> None:
    report = {c.authority: c for c in knowledge.coverage()}
    assert set(report) == {"gateshead", "blackpool", "kent", "lewisham", "regional"}
    for coverage in report.values():
        assert set(coverage.covered) | set(coverage.missing) == set(knowledge.topic_ids)
        assert not set(coverage.covered) & set(coverage.missing)
    assert "timescales" in report["kent"].covered
    assert "safety-planning" in report["blackpool"].covered


def test_every_section_has_its_source_metadata(knowledge: KnowledgeBase) -> None:
    kent = knowledge.section("kent/11-timescales")
    assert (kent.source_version, kent.last_updated) == ("refreshed July 2024", "2024-07")
    with pytest.raises(UnknownSectionError):
        knowledge.section("kent/no-such-section")


def test_glossary_cites_existing_sections_and_finds_aliases(knowledge: KnowledgeBase) -> None:
    entry = knowledge.glossary.lookup("S20")
    assert "accommodat" in entry.meaning.lower()
    assert all(s in knowledge.sections for s in entry.section_ids)
    assert knowledge.glossary.lookup("national referral mechanism").key == (
        knowledge.glossary.lookup("NRM").key
    )
    with pytest.raises(UnknownTermError):
        knowledge.glossary.lookup("flux capacitor")


@pytest.mark.parametrize(
    ("text", "force"),
    [
        ("The assessment must be approved by a manager.", Force.REQUIREMENT),
        ("Social workers should see the child alone.", Force.GUIDANCE),
        ("It is good practice to hold a planning meeting.", Force.GUIDANCE),
        ("Local authorities have a duty to make enquiries.", Force.REQUIREMENT),
        ("A Child in Need is defined under the Children Act 1989.", Force.INFORMATION),
        ("It should and must be done.", Force.REQUIREMENT),
    ],
)
def test_must_is_a_requirement_and_should_is_guidance(text: str, force: Force) -> None:
    assert classify(text) is force


def test_list_items_take_the_force_of_their_introduction() -> None:
    found = statements(
        "The social worker must ensure that:\n  • the child is seen;\n  • notes kept"
    )
    assert [s.force for s in found] == [Force.REQUIREMENT] * 3
    found = statements("Examples include:\n  • Isolation;")
    assert [s.force for s in found] == [Force.INFORMATION] * 2


def test_a_new_version_reports_changed_added_and_removed_sections() -> None:
    old = "Assessments\n\n1. Intro\n\nSome text.\n\n2. Timescales\n\nWithin 45 days.\n"
    new = old.replace("45", "40") + "\n3. New\n\nX.\n"
    changes = diff(
        fingerprints(ingest("kent", old, "v1", "")), fingerprints(ingest("kent", new, "v2", ""))
    )
    assert changes.changed == ("kent/2-timescales",)
    assert changes.added == ("kent/3-new",)
    assert changes.removed == ()
    assert changes.affected == ("kent/2-timescales",)


def test_the_snapshot_round_trips(tmp_path: Path, knowledge: KnowledgeBase) -> None:
    assert read_snapshot(tmp_path) == {}
    write_snapshot(tmp_path, knowledge.sections.values())
    assert read_snapshot(tmp_path) == fingerprints(knowledge.sections.values())


def test_an_override_for_a_missing_section_stops_the_build(tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, copy)
    (copy / "topic_overrides.yml").write_text(
        "sections:\n  kent/renamed-away:\n    add: [timescales]\n"
    )
    with pytest.raises(ValueError, match="kent/renamed-away"):
        build_knowledge_base(copy)


def test_an_override_adds_and_removes_topics(tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, copy)
    (copy / "topic_overrides.yml").write_text(
        "sections:\n  kent/11-timescales:\n    add: [recording]\n    remove: [timescales]\n"
    )
    section = build_knowledge_base(copy).section("kent/11-timescales")
    assert "recording" in section.topics and "timescales" not in section.topics
