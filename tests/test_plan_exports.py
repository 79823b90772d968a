"""The plan's exports: Markdown and Word for the worker and manager, iCalendar, and the plain
version for the family, each built from a real knowledge base."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from assistant.core.guidance.branch_answer import BranchGuide
from assistant.core.guidance.branches import load_branches
from assistant.core.plans import exports
from assistant.core.plans.editing import (
    with_action,
    with_answer,
    with_branches,
    with_checklist,
    with_decision,
)
from assistant.core.plans.exports import common
from assistant.core.plans.exports.inert import inert_markdown
from assistant.core.plans.exports.plain_words import BRANCH_PLAIN, plain_or_none
from assistant.core.plans.model import (
    BRANCH_IDS,
    AnswerStatus,
    Child,
    Plan,
    ReviewPoint,
)
from assistant.core.plans.presenting import PlanView, build_view
from assistant.core.plans.template import AuthorityPlan, load_plan_template, plan_for_authority
from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.core.timescales.formatting import long_date
from assistant.core.timescales.service import TimescaleService, load_timescale_service
from tests.conftest import KNOWLEDGE_DIR

AUTHORITIES = ("gateshead", "blackpool", "kent", "lewisham", "regional")
TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
JARGON_ANSWER = "s47 strategy discussion held; NRM referral made"
# What a family must never be left with, checked case-insensitively as whole words. Kept
# apart from the generator's own list on purpose.
BANNED = (
    "s47",
    "s.47",
    "section 47",
    "s17",
    "section 17",
    "s20",
    "section 20",
    "NRM",
    "National Referral Mechanism",
    "CIN",
    "child in need",
    "MASH",
    "strategy discussion",
    "strategy meeting",
    "threshold",
    "ICTG",
    "CFAB",
    "working days",
    "working day",
    "EDD",
    "CAFA",
    "SW",
    "first responder",
    "checkpoint",
    "extra-familial",
    "contextual safeguarding",
)


@dataclass(frozen=True)
class Knowledge:
    timescales: TimescaleService
    sources: Callable[[str], AuthorityPlan]


@pytest.fixture(scope="module")
def knowledge(knowledge_base: KnowledgeBase) -> Knowledge:
    branches = load_branches(KNOWLEDGE_DIR, set(knowledge_base.topic_ids))
    timescales = load_timescale_service(KNOWLEDGE_DIR)
    guide = BranchGuide(branches, knowledge_base, timescales)
    template = load_plan_template(KNOWLEDGE_DIR, set(knowledge_base.topic_ids), set(branches))
    topics = {b: x.topics for b, x in branches.items()}
    cache: dict[str, AuthorityPlan] = {}

    def sources(authority: str) -> AuthorityPlan:
        if authority not in cache:
            cache[authority] = plan_for_authority(template, guide, authority, topics)
        return cache[authority]

    return Knowledge(timescales, sources)


def _plan(authority: str) -> Plan:
    return Plan(
        id="abc123def0",
        authority=authority,
        version=3,
        children=(Child("AB", date(2009, 3, 1)),),
        referral_date=date(2026, 11, 2),
        expected_delivery_date=date(2027, 3, 1),
    )


def _example_view(knowledge: Knowledge) -> PlanView:
    """The example plan: Lewisham, trafficking, a few answers, an action done."""
    sources = knowledge.sources("lewisham")
    plan = with_branches(_plan("lewisham"), frozenset({"trafficking-nrm"}), sources)
    plan = with_answer(plan, "who_undertakes", "Me (SW) with a family support worker")
    plan = with_answer(plan, "genogram", "Not sure who the father is", AnswerStatus.NOT_SURE)
    plan = with_answer(plan, "chronology", "", AnswerStatus.SKIPPED)
    plan = with_decision(plan, "interpreter", True, "Mother's first language is Tigrinya")
    plan = with_action(plan, "Visit school", "Me", "2026-12-04")
    plan = with_action(plan, "Read the previous assessment", "Me", "2026-11-10")
    plan = plan.with_changes(
        actions=(*plan.actions[:-1], replace(plan.actions[-1], done=True)),
        review_points=(ReviewPoint("Review with manager", "working_days:20"),),
    )
    plan = with_checklist(plan, {"child_seen_alone": True}, sources)
    return build_view(plan, sources, knowledge.timescales, TODAY)


@pytest.fixture(scope="module")
def view(knowledge: Knowledge) -> PlanView:
    return _example_view(knowledge)


def _every_branch_view(knowledge: Knowledge, authority: str) -> PlanView:
    """Every branch flag, every question answered in shorthand, and a jargon action."""
    sources = knowledge.sources(authority)
    plan = with_branches(_plan(authority), frozenset(BRANCH_IDS), sources)
    for question in sources.questions:
        if question.item.kind == "decision":
            plan = with_decision(plan, question.item.id, True, JARGON_ANSWER)
        else:
            plan = with_answer(plan, question.item.id, JARGON_ANSWER)
    plan = with_action(
        plan, "Discuss CIN threshold with MASH within 10 working days", "SW", "2026-11-20"
    )
    plan = plan.with_changes(review_points=(ReviewPoint("s47 review", "working_days:45"),))
    return build_view(plan, sources, knowledge.timescales, TODAY)


def _in_order(text: str, parts: list[str]) -> bool:
    position = 0
    for part in parts:
        position = text.find(part, position)
        if position < 0:
            return False
        position += len(part)
    return True


def _section_ids(view: PlanView) -> set[str]:
    return (
        {c.section_id for c in view.citations}
        | {a.section_id for a in view.actions if a.section_id}
        | {d.section_id for d in view.dates if d.section_id}
    )


# Markdown ------------------------------------------------------------------------------


def test_markdown_has_every_question_heading_in_the_procedures_order(view: PlanView) -> None:
    text = exports.plan_markdown(view)
    assert text.startswith("# Assessment plan\n")
    assert _in_order(text, [f"\n### {q.heading}\n" for q in view.questions])
    assert _in_order(text, [f"\n## {h}\n" for h in common.SECTION_HEADINGS])


@pytest.mark.parametrize(
    "expected",
    [
        "- **Authority:** London Borough of Lewisham Children's Social Care",
        "- **Plan reference:** abc123def0",
        "- **Version:** 3",
        "- **Children:** AB",
        "- **Referral date:** Monday 2 November 2026",
        "- **Branches:** Trafficking, modern slavery and the National Referral Mechanism",
        "Me (SW) with a family support worker",
        "Not sure yet: Not sure who the father is",
        "Decision: Yes — Mother's first language is Tigrinya",
        "Not answered yet",
        "Skipped",
        "| Who | What | By when | Done |",
        "| Me | Visit school | Friday 4 December 2026 | No |",
        "| Me | Read the previous assessment | Tuesday 10 November 2026 | Yes |",
        "- Monday 30 November 2026: Review with manager",
        "- [x] The child has been seen alone and their views and wishes recorded",
        "- [ ] The child's home has been visited and their bedroom seen",
        "- Genogram (not sure yet)",
        "- Chronology (skipped)",
        "The procedure says:\n\n> Who will undertake the assessment and what resources",
        "“6. Planning the Assessment” (lewisham/6-planning-the-assessment), version updated",
        "supports, and does not replace, professional judgement and management oversight",
    ],
)
def test_markdown_contents(view: PlanView, expected: str) -> None:
    assert expected in exports.plan_markdown(view)


def test_markdown_has_the_dates_actions_checklist_and_sources(view: PlanView) -> None:
    text = exports.plan_markdown(view)
    for item in view.dates:
        assert f"- {item.label}: {long_date(item.when)}. {item.how}" in text
    for action in view.actions:
        assert f"| {action.who} | {action.what} |" in text
    for tick in view.checklist:
        assert f"- [{'x' if tick.ticked else ' '}] {tick.label}\n" in text
    for citation in view.citations:
        assert f"({citation.section_id})" in text


def test_markdown_without_a_referral_date_says_so(knowledge: Knowledge) -> None:
    sources = knowledge.sources("kent")
    plan = _plan("kent").with_changes(referral_date=None)
    text = exports.plan_markdown(build_view(plan, sources, knowledge.timescales, TODAY))
    assert "- **Referral date:** Not given yet" in text
    assert "No dates yet: add the referral date" in text


def test_markdown_answer_cannot_add_a_heading(knowledge: Knowledge) -> None:
    sources = knowledge.sources("kent")
    plan = with_answer(_plan("kent"), "recording", "## Actions\nOn the case record")
    text = exports.plan_markdown(build_view(plan, sources, knowledge.timescales, TODAY))
    assert text.count("\n## Actions\n") == 1
    assert "\\## Actions" in text


# Word ----------------------------------------------------------------------------------


def _word(view: PlanView) -> docx.document.Document:
    return docx.Document(io.BytesIO(exports.plan_docx(view, NOW)))


def test_docx_headings_are_word_headings_in_order(view: PlanView) -> None:
    document = _word(view)
    headings = [
        (p.style.name, p.text)
        for p in document.paragraphs
        if p.style is not None and p.style.name in ("Heading 1", "Heading 2")
    ]
    expected = [("Heading 1", common.DATES), ("Heading 1", common.PLANNING)]
    expected += [("Heading 2", q.heading) for q in view.questions]
    expected += [("Heading 1", h) for h in common.SECTION_HEADINGS[2:]]
    assert headings == expected
    assert document.paragraphs[0].style is not None
    assert document.paragraphs[0].style.name == "Title"
    assert document.paragraphs[0].text == "Assessment plan"


def test_docx_actions_table_has_a_header_row_and_a_row_per_action(view: PlanView) -> None:
    tables = [t for t in _word(view).tables if t.rows[0].cells[0].text == "Who"]
    assert len(tables) == 1
    rows = [[c.text for c in row.cells] for row in tables[0].rows]
    assert rows[0] == list(common.ACTION_COLUMNS)
    assert len(rows) == 1 + len(view.actions)
    for row, action in zip(rows[1:], view.actions, strict=True):
        assert row[:2] == [action.who, action.what]
        assert action.due is not None
        assert row[2] == long_date(action.due)
        assert row[3] == ("Yes" if action.done else "No")


def test_docx_checklist_particulars_properties_and_footer(view: PlanView) -> None:
    document = _word(view)
    texts = [p.text for p in document.paragraphs]
    for item in view.checklist:
        assert f"{'☒' if item.ticked else '☐'} {item.label}" in texts
    particulars = {r.cells[0].text: r.cells[1].text for r in document.tables[0].rows}
    assert particulars["Plan reference"] == "abc123def0"
    assert particulars["Referral date"] == "Monday 2 November 2026"
    assert document.core_properties.title == "Assessment plan abc123def0"
    generated = "Plan abc123def0, version 3. Generated Monday 23 November 2026."
    assert document.sections[0].footer.paragraphs[0].text == generated
    assert generated in texts
    assert any("Decision: Yes — Mother's first language is Tigrinya" in t for t in texts)
    assert any("does not replace, professional judgement" in t for t in texts)


def test_docx_drops_characters_xml_cannot_hold(knowledge: Knowledge) -> None:
    sources = knowledge.sources("kent")
    plan = with_answer(_plan("kent"), "recording", "On the record\x0b today")
    document = _word(build_view(plan, sources, knowledge.timescales, TODAY))
    assert "On the record today" in [p.text for p in document.paragraphs]


# iCalendar -----------------------------------------------------------------------------


def _events(view: PlanView, now: datetime = NOW) -> list[dict[str, object]]:
    calendar = Calendar.from_ical(exports.plan_calendar(view, now))
    return [
        {
            "uid": str(e["UID"]),
            "start": e.decoded("DTSTART"),
            "end": e.decoded("DTEND"),
            "summary": str(e["SUMMARY"]),
        }
        for e in calendar.walk("VEVENT")
    ]


def test_calendar_has_an_event_per_date_dated_action_and_review_point(view: PlanView) -> None:
    events = _events(view)
    expected = {(f"{d.label} (AB)", d.when) for d in (*view.dates, *view.review_points)}
    expected |= {(f"{a.who}: {a.what}", a.due) for a in view.actions if a.due}
    assert {(e["summary"], e["start"]) for e in events} == expected
    assert len(events) == len(expected)
    assert "Review with manager (AB)" in {e["summary"] for e in events}
    assert "Me: Visit school" in {e["summary"] for e in events}
    assert all(e["end"] == e["start"] + timedelta(days=1) for e in events)  # type: ignore[operator]


def test_a_weekend_referral_plan_counts_from_the_saturday(knowledge: Knowledge) -> None:
    sources = knowledge.sources("blackpool")
    plan = _plan("blackpool").with_changes(referral_date=date(2027, 8, 7))
    plan = plan.with_changes(review_points=(ReviewPoint("Review with manager", "working_days:5"),))
    view = build_view(plan, sources, knowledge.timescales, date(2027, 8, 9))
    events = {e["start"] for e in _events(view)}
    assert {date(2027, 8, 20), date(2027, 9, 20), date(2027, 10, 11)} <= events
    assert date(2027, 8, 13) in events  # 5 working days: Monday 9 August is day 1
    assert date(2027, 10, 12) not in events


def test_calendar_uids_are_unique_and_stable(knowledge: Knowledge, view: PlanView) -> None:
    first = [e["uid"] for e in _events(view)]
    assert len(set(first)) == len(first)
    assert all(str(uid).startswith("abc123def0-") for uid in first)
    assert [e["uid"] for e in _events(view, datetime(2027, 1, 1, tzinfo=UTC))] == first
    # A later version with the referral moved: the same events, on new dates.
    moved = _example_view(knowledge)
    moved_plan = moved.plan.with_changes(referral_date=date(2026, 11, 9), version=4)
    sources = knowledge.sources("lewisham")
    later = _events(build_view(moved_plan, sources, knowledge.timescales, TODAY))
    assert {e["uid"] for e in later} == set(first)
    assert {e["start"] for e in later} != {e["start"] for e in _events(view)}


def test_calendar_uids_differ_between_plans(knowledge: Knowledge, view: PlanView) -> None:
    other = view.plan.with_changes(id="fff999")
    sources = knowledge.sources("lewisham")
    theirs = {e["uid"] for e in _events(build_view(other, sources, knowledge.timescales, TODAY))}
    assert theirs.isdisjoint({e["uid"] for e in _events(view)})


# For the family ------------------------------------------------------------------------


def _banned_in(text: str) -> list[str]:
    return [t for t in BANNED if re.search(rf"(?<!\w){re.escape(t)}(?!\w)", text, re.IGNORECASE)]


@pytest.mark.parametrize("authority", AUTHORITIES)
def test_family_version_has_no_jargon(knowledge: Knowledge, authority: str) -> None:
    view = _every_branch_view(knowledge, authority)
    text = exports.plan_for_family(view)
    assert _banned_in(text) == []
    assert "This is the plan for the assessment of AB." in text
    assert text.rstrip().splitlines()[-3] == (
        "If anything here is wrong or unclear, tell your social worker."
    )
    for item in view.dates:
        assert long_date(item.when) in text
    for section_id in _section_ids(view):
        assert section_id not in text
    assert "/" not in text
    assert "Getting the right help if someone has been forcing you to work" in text
    assert "Your social worker will discuss level of need for extra help" in text
    # The worker's shorthand is there, in plain words.
    assert "; referral for help for victims of trafficking made." in text
    for question in view.questions:
        assert question.quote not in text


def test_family_version_of_the_example(view: PlanView) -> None:
    text = exports.plan_for_family(view)
    assert _banned_in(text) == []
    assert "## Who is doing the assessment\n\nYour social worker with a family support worker." in (
        text
    )
    assert "## Help with language\n\nYes. Mother's first language is Tigrinya." in text
    assert "- We will finish the assessment by Thursday 7 January 2027." in text
    assert "- Review with manager by Monday 30 November 2026." in text
    assert "- Your social worker will visit school by Friday 4 December 2026." in text
    # Done actions, open questions and their headings are left out.
    assert "previous assessment" not in text
    assert "Your family tree" not in text
    assert "A timeline of important events" not in text
    assert "Not answered" not in text


@pytest.mark.parametrize(
    ("worker_wrote", "family_reads"),
    [
        (
            JARGON_ANSWER,
            "Meeting with the police and other services about keeping the child safe held; "
            "referral for help for victims of trafficking made",
        ),
        ("Me (SW) with a family support worker", "Your social worker with a family support worker"),
        ("An NRM was made", "A referral for help for victims of trafficking was made"),
        ("Section 47 enquiries started", "Child protection enquiries started"),
        ("Accommodated under s20", "Somewhere to live"),
        ("Finish within 45 working days", "Finish by Thursday 7 January 2027"),
        ("Visit within 10 working days", "Visit within 10 weekdays"),
        ("Referred by MASH", "Referred by the team that first looks at worries about children"),
        ("CIN plan in 2024", "Plan for the help your family gets in 2024"),
        ("Check with CFAB", "Check with Children and Families Across Borders"),
        ("Refer to the ICTG service", "Refer to an independent guardian who helps children"),
        ("Plan before the EDD", "Plan before the date the baby is due"),
        ("Below threshold", "Below level of need"),
        ("See kent/6-planning-the-assessment. Then call.", "Then call."),
        ("s99z", "The law"),
    ],
)
def test_plain_words(worker_wrote: str, family_reads: str) -> None:
    words = plain_or_none(worker_wrote, date(2027, 1, 7))
    assert words is not None
    assert words.startswith(family_reads)


def test_plain_words_drop_what_they_cannot_explain() -> None:
    assert plain_or_none("Route kent/6-planning-the-assessment") is None
    assert plain_or_none("See kent/6-planning-the-assessment; NRM made.") == (
        "A referral for help for victims of trafficking made."
    )


def test_every_family_heading_and_branch_is_plain(knowledge: Knowledge) -> None:
    assert set(BRANCH_PLAIN) == set(BRANCH_IDS)
    headings = {q.item.family for a in AUTHORITIES for q in knowledge.sources(a).questions}
    assert [h for h in [*headings, *BRANCH_PLAIN.values()] if _banned_in(h)] == []


def test_eighteenth_birthday_action_is_in_every_export(knowledge: Knowledge) -> None:
    sources = knowledge.sources("kent")
    plan = with_branches(_plan("kent"), frozenset({"homeless-16-17"}), sources)
    view = build_view(plan, sources, knowledge.timescales, TODAY)
    assert date(2027, 3, 1) in {a.due for a in view.actions}
    assert "| Social worker and manager | Complete the assessment before the young person's" in (
        exports.plan_markdown(view)
    )
    summaries = [str(e["summary"]) for e in _events(view)]
    assert any(s.startswith("Social worker and manager: Complete the assess") for s in summaries)
    assert (
        "- Your social worker and their manager will complete the assessment before the young "
        "person's 18th birthday by Monday 1 March 2027." in exports.plan_for_family(view)
    )


def test_docx_without_now_says_when_it_was_generated(view: PlanView) -> None:
    document = docx.Document(io.BytesIO(exports.plan_docx(view)))
    footer = document.sections[0].footer.paragraphs[0].text
    assert footer.startswith("Plan abc123def0, version 3. Generated ")
    assert document.core_properties.created is not None


def test_a_pre_birth_date_from_another_authoritys_rule_is_labelled_in_every_export(
    knowledge: Knowledge,
) -> None:
    """Lewisham's chapter states no pre-birth timescale: the plan shows the date under
    Gateshead's name, never as Lewisham's rule."""
    view = _every_branch_view(knowledge, "lewisham")
    [pre] = [d for d in view.dates if "Pre-birth" in d.label]
    assert pre.label.endswith("Gateshead's procedure, not yours")
    assert "yours doesn't state a pre-birth timescale" in pre.how
    assert "Gateshead's procedure, not yours" in exports.plan_markdown(view)
    summaries = [
        str(e["summary"])
        for e in Calendar.from_ical(exports.plan_calendar(view, NOW)).walk("VEVENT")
    ]
    assert any("Pre-birth" in s and "Gateshead's procedure, not yours" in s for s in summaries)
    own = _every_branch_view(knowledge, "kent")
    [kent_pre] = [d for d in own.dates if "Pre-birth" in d.label]
    assert "procedure" not in kent_pre.label and "procedure" not in kent_pre.how


# Inert Markdown: the worker's text cannot run, link to script or load images -------------

HOSTILE = (
    "Meet at school <img src=x onerror=alert(1)> then <script>alert(2)</script> "
    "[see notes](javascript:alert(3)) [more](jav&#x61;script:alert(4)) "
    "[also](  JavaScript:alert(5)) ![pixel](https://tracker.example/p.png?who=AB) "
    "<!-- hidden --> <<b>script>alert(6)</script> [![x](https://t.example/i.png)](data:x) "
    "[ok](https://www.gov.uk/guidance) <iframe src='https://evil.example'></iframe>"
)
HOSTILE_LINE = "[ref]: javascript:alert(7)"


def _assert_inert(text: str) -> None:
    assert re.search(r"<\s*/?\s*[A-Za-z!?]", text) is None, text
    assert "![" not in text
    assert re.search(r"\]\(\s*(?!https?://|mailto:)", text) is None, text
    assert "tracker.example" not in text and "t.example" not in text
    assert "evil.example" not in text
    assert re.search(r"^ {0,3}\[[^\]]+\]:", text, re.MULTILINE) is None  # no link definitions


@pytest.mark.parametrize("export", ["markdown", "family"])
def test_hostile_free_text_is_inert_in_the_text_exports(knowledge: Knowledge, export: str) -> None:
    sources = knowledge.sources("kent")
    plan = with_answer(_plan("kent"), "who_undertakes", f"{HOSTILE}\n{HOSTILE_LINE}")
    plan = with_decision(plan, "interpreter", True, HOSTILE)
    plan = with_action(plan, f"Visit {HOSTILE}", "Me <b>now</b>", "2026-12-04")
    view = build_view(plan, sources, knowledge.timescales, TODAY)
    text = exports.plan_markdown(view) if export == "markdown" else exports.plan_for_family(view)
    _assert_inert(text)
    if export == "markdown":
        # The words stay; an http(s) link stays as it was written.
        assert "Meet at school" in text and "see notes" in text and "pixel" in text
        assert "[ok](https://www.gov.uk/guidance)" in text


@given(st.text(alphabet=st.sampled_from(list("<>![]()/:-= aijvscrpt&#x;\n")), max_size=80))
@settings(max_examples=300, deadline=None)
def test_inert_markdown_leaves_no_tag_image_or_unsafe_link(text: str) -> None:
    result = inert_markdown(text)
    # What CommonMark takes as raw HTML: a tag, a declaration, a processing instruction, a comment.
    assert re.search(r"<(?:/?[A-Za-z]|![A-Za-z\[]|\?)[^<>]*>|<!--", result) is None
    assert re.search(r"!\[[^\]]*\]\s*(?:\([^)]*\)|\[[^\]]*\])", result) is None
    for match in re.finditer(r"\[[^\]]*\]\(\s*<?([^)\s>]*)[^)]*\)", result):
        assert match.group(1).lower().startswith(("http://", "https://", "mailto:")), result
    assert inert_markdown(result) == result
