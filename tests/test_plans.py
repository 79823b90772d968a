"""The assessment plan in the core: what each authority's plan holds, the guided walkthrough,
dates that follow their inputs, and versions kept by the (fake) repository."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.core.access import development_principal
from assistant.core.guidance.branch_answer import BranchGuide
from assistant.core.guidance.branches import load_branches
from assistant.core.plans.dates import plan_dates, what_moved
from assistant.core.plans.editing import PlanChanges, apply_changes, with_branches
from assistant.core.plans.model import (
    Action,
    Answer,
    AnswerStatus,
    Child,
    Plan,
    PlanValidationError,
    check_child_reference,
    plan_from_json,
    plan_to_json,
)
from assistant.core.plans.repository import PlanNotFoundError, PlanVersionConflictError
from assistant.core.plans.service import PlanService, build_plan_service
from assistant.core.plans.walkthrough import (
    ACTIONS,
    BRANCHES,
    CHILDREN,
    REFERRAL,
    Command,
    ask,
    current_step,
    explain_step,
    find_plan_reference,
    looks_like_question,
    read_action,
    read_branches,
    read_command,
    read_decision,
    reopen,
    steps,
)
from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.core.timescales.service import load_timescale_service
from tests.conftest import KNOWLEDGE_DIR
from tests.plan_fakes import FakePlanRepository

AUTHORITIES = ("gateshead", "blackpool", "kent", "lewisham", "regional")
COMMON_QUESTIONS = (
    "who_undertakes", "family_involvement", "grouping_and_order", "services_during",
    "communication_needs", "equality_issues", "methods_and_tools", "information_held",
    "other_sources", "consent", "interpreter", "timescales", "recording", "analysis",
    "outcomes_discussion",
)  # fmt: skip
TODAY = date(2026, 11, 23)
# The development user: every authority, so these tests are about plans, not access.
ANYONE = development_principal()
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def guide(knowledge_base: KnowledgeBase) -> BranchGuide:
    branches = load_branches(KNOWLEDGE_DIR, set(knowledge_base.topic_ids))
    return BranchGuide(branches, knowledge_base, load_timescale_service(KNOWLEDGE_DIR))


@pytest.fixture
def service(guide: BranchGuide) -> PlanService:
    built = build_plan_service(KNOWLEDGE_DIR, guide, FakePlanRepository())
    return built


@pytest.fixture(scope="module")
def shared_service(guide: BranchGuide) -> PlanService:
    """For tests that store nothing (hypothesis runs one fixture for many examples)."""
    return build_plan_service(KNOWLEDGE_DIR, guide, FakePlanRepository())


def walk(service: PlanService, plan: Plan, *replies: str) -> tuple[Plan, list[str]]:
    said: list[str] = []
    for text in replies:
        turn = service.walk(ANYONE, plan, text, NOW, TODAY)
        said += [r.text for r in turn.replies]
        plan = turn.plan
    return plan, said


# --- What each authority's plan holds -------------------------------------------------------


@pytest.mark.parametrize("authority", AUTHORITIES)
def test_every_plan_asks_the_planning_questions_its_procedure_lists(
    service: PlanService, authority: str
) -> None:
    sources = service.sources(authority)
    assert set(COMMON_QUESTIONS) <= set(sources.question_ids)
    for sourced in (*sources.questions, *sources.checklist):
        # Each item is cited from a sentence of its own authority's section.
        assert sourced.section.authority == authority
        assert " ".join(sourced.quote.split()) in " ".join(sourced.section.text.split())


@pytest.mark.parametrize(
    ("authority", "item", "present"),
    [
        ("lewisham", "genogram", True),
        ("lewisham", "chronology", True),
        ("kent", "genogram", False),
        ("gateshead", "chronology", False),
        ("regional", "partners_information", True),
        ("kent", "partners_information", False),
    ],
)
def test_authority_additions_come_only_from_procedures_that_have_them(
    service: PlanService, authority: str, item: str, present: bool
) -> None:
    sources = service.sources(authority)
    ids = {*sources.question_ids, *(c.item.id for c in sources.checklist)}
    assert (item in ids) is present


@pytest.mark.parametrize("authority", AUTHORITIES)
def test_the_managers_checklist_covers_what_the_procedure_asks_them_to_check(
    service: PlanService, authority: str
) -> None:
    ids = {c.item.id for c in service.sources(authority).checklist}
    assert {
        "child_seen_alone",
        "all_children_seen",
        "home_and_bedroom_seen",
        "parents_seen",
        "analysis_done",
        "evidence_for_decisions",
    } <= ids


@pytest.mark.parametrize(
    ("authority", "branch", "expected"),
    [
        ("kent", "trafficking-nrm", "National Referral Mechanism"),
        ("kent", "trafficking-nrm", "Independent Child Trafficking Guardian"),
        ("gateshead", "family-abroad", "Children and Families Across Borders"),
        ("blackpool", "homeless-16-17", "section 20"),
    ],
)
def test_a_branch_flag_adds_its_procedures_actions(
    service: PlanService, authority: str, branch: str, expected: str
) -> None:
    plan = service.new(ANYONE, authority, frozenset({branch}))
    added = [a for a in plan.actions if a.branch == branch]
    assert any(expected in a.what for a in added)
    assert all(a.section_id and a.section_id.startswith(f"{authority}/") for a in added)


def test_gateshead_has_no_ictg_action_because_its_procedure_has_no_ictg(
    service: PlanService,
) -> None:
    plan = service.new(ANYONE, "gateshead", frozenset({"trafficking-nrm"}))
    assert not any("ICTG" in a.what for a in plan.actions)


def test_removing_a_flag_removes_its_actions_unless_done(service: PlanService) -> None:
    sources = service.sources("kent")
    plan = service.new(ANYONE, "kent", frozenset({"trafficking-nrm", "family-abroad"}))
    cfab = next(i for i, a in enumerate(plan.actions) if "Across Borders" in a.what)
    actions = list(plan.actions)
    actions[cfab] = Action(**{**actions[cfab].__dict__, "done": True})
    plan = with_branches(plan.with_changes(actions=tuple(actions)), frozenset(), sources)
    assert [a.what for a in plan.actions] == [actions[cfab].what]


# --- Model validation --------------------------------------------------------------------


@pytest.mark.parametrize("reference", ["AB", "A.B.", "J-P S", "CR-20391", "1234567", "ab12"])
def test_initials_and_case_references_are_accepted(reference: str) -> None:
    assert check_child_reference(reference) == reference


@pytest.mark.parametrize("name", ["Jane Smith", "Mohammed", "baby of Jane", "Kayden-Lee", ""])
def test_names_are_refused(name: str) -> None:
    with pytest.raises(PlanValidationError, match="initials or a case reference"):
        check_child_reference(name)


def test_a_stored_plan_holds_inputs_not_computed_dates(service: PlanService) -> None:
    plan = service.new(ANYONE, "kent", frozenset({"pre-birth"})).with_changes(
        referral_date=date(2026, 11, 2), expected_delivery_date=date(2027, 2, 1)
    )
    body = plan_to_json(plan)
    flat = repr(body)
    assert "2027-01-07" not in flat  # the 45-day date is worked out, never stored
    assert {a["due"] for a in body["actions"]} <= {"pre_birth_complete_by", "assessment_due"}
    assert plan_from_json(body) == plan


@given(
    referral=st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 6, 30)),
    shift=st.integers(min_value=-20, max_value=20),
)
@settings(max_examples=60, deadline=None)
def test_moving_the_referral_moves_every_dependent_date_with_it(
    shared_service: PlanService, referral: date, shift: int
) -> None:
    service = shared_service
    plan = service.new(ANYONE, "blackpool", frozenset({"trafficking-nrm"})).with_changes(
        referral_date=referral
    )
    moved = plan.with_changes(referral_date=referral + timedelta(days=shift))
    before = plan_dates(plan, service.timescales, TODAY)
    after = plan_dates(moved, service.timescales, TODAY)
    calendar = service.timescales.calendar("blackpool")
    for action, when in zip(moved.actions, after.actions, strict=True):
        days = int(action.due.partition(":")[2])
        assert when == calendar.add_working_days(referral + timedelta(days=shift), days).result
    assert after.timescales is not None and before.timescales is not None
    lines = what_moved(plan, moved, service.timescales, TODAY)
    changed = before.timescales.assessment_due.when != after.timescales.assessment_due.when
    assert any(line.startswith(before.timescales.assessment_due.label) for line in lines) is changed


def test_changing_the_referral_date_says_what_moved(service: PlanService) -> None:
    plan = service.new(ANYONE, "gateshead", frozenset({"trafficking-nrm"})).with_changes(
        referral_date=date(2026, 11, 2)
    )
    changed = apply_changes(
        plan, PlanChanges(referral_date=date(2026, 11, 9)), service.sources("gateshead")
    )
    lines = what_moved(plan, changed, service.timescales, TODAY)
    assert any("Thursday 7 January 2027 → Thursday 14 January 2027" in line for line in lines)
    assert any(line.startswith("Make a National Referral Mechanism") for line in lines)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (PlanChanges(children=(Child("Jane Smith"),)), "initials"),
        (PlanChanges(answers={"not_a_question": Answer("x")}), "Unknown planning questions"),
        (PlanChanges(answers={"genogram": Answer("x")}), "Unknown planning questions"),
        (PlanChanges(branches=frozenset({"space-travel"})), "Unknown branch"),
        (PlanChanges(checklist={"made_up": True}), "Unknown checklist"),
        (
            PlanChanges(referral_date=date(2026, 1, 5), children=(Child("AB", date(2026, 6, 1)),)),
            "date of birth is after the referral",
        ),
        (PlanChanges(actions=(Action("Visit", "Me", "next tuesday"),)), "is not a date"),
    ],
)
def test_changes_that_cannot_be_right_are_refused(
    service: PlanService, changes: PlanChanges, message: str
) -> None:
    plan = service.new(ANYONE, "kent")
    with pytest.raises(PlanValidationError, match=message):
        apply_changes(plan, changes, service.sources("kent"))


# --- The walkthrough ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("Skip", Command.SKIP),
        ("go back", Command.BACK),
        ("Not sure", Command.NOT_SURE),
        ("I don\u2019t know", Command.NOT_SURE),
        ("Carry on later", Command.LATER),
        ("stop", Command.LATER),
        ("Skip the school visit until Monday", None),
        ("Mum and dad, separately", None),
    ],
)
def test_commands_are_read_only_when_they_are_the_whole_reply(
    text: str, command: Command | None
) -> None:
    assert read_command(text) is command


def test_a_plan_is_built_one_question_at_a_time(service: PlanService) -> None:
    plan = service.create(ANYONE, service.new(ANYONE, "kent"), NOW, TODAY)
    ctx = service.context("kent", TODAY)
    assert ask(plan, ctx).text.startswith("Question 1 of 19: Children")
    plan, said = walk(
        service,
        plan,
        "AB, CR-20391",
        "2/11/2026",
        "trafficking and family abroad",
        "Me and a family support worker",
    )
    assert [c.reference for c in plan.children] == ["AB", "CR-20391"]
    assert plan.referral_date == date(2026, 11, 2)
    assert plan.branches == {"trafficking-nrm", "family-abroad"}
    assert any("due by Thursday 7 January 2027" in s for s in said)
    assert any(s.startswith("Added 4 actions") for s in said)
    assert plan.answers["who_undertakes"] == Answer("Me and a family support worker")
    assert current_step(plan, ctx) == "family_involvement"
    assert plan.version == 5  # every answer is a new version


def test_back_skip_and_not_sure(service: PlanService) -> None:
    plan = service.create(ANYONE, service.new(ANYONE, "kent"), NOW, TODAY)
    ctx = service.context("kent", TODAY)
    plan, _ = walk(service, plan, "AB", "2/11/2026", "none of these", "Me")
    plan, _ = walk(service, plan, "back")
    assert current_step(plan, ctx) == "who_undertakes"
    assert "So far: “Me”" in ask(plan, ctx).text
    plan, _ = walk(service, plan, "Skip")  # keeps the answer
    assert plan.answers["who_undertakes"] == Answer("Me")
    plan, said = walk(service, plan, "not sure")
    assert plan.answers["family_involvement"].status is AnswerStatus.NOT_SURE
    assert "not sure" in said[0]
    plan, _ = walk(service, plan, "skip")
    assert plan.answers["grouping_and_order"].status is AnswerStatus.SKIPPED
    assert current_step(plan, ctx) == "services_during"


def test_after_going_back_an_answer_returns_to_where_the_worker_was(
    service: PlanService,
) -> None:
    plan = service.create(ANYONE, service.new(ANYONE, "kent"), NOW, TODAY)
    ctx = service.context("kent", TODAY)
    plan, _ = walk(service, plan, "AB", "2/11/2026", "none of these", "Me", "Mum and dad")
    plan, _ = walk(service, plan, "back", "back", "Me and a student social worker")
    assert plan.answers["who_undertakes"].text == "Me and a student social worker"
    assert current_step(plan, ctx) == "grouping_and_order"


def test_a_finished_plan_reopens_at_its_open_questions_only(service: PlanService) -> None:
    plan = service.create(ANYONE, service.new(ANYONE, "gateshead"), NOW, TODAY)
    ctx = service.context("gateshead", TODAY)
    replies = ["AB", "2/11/2026", "None of these", "Me", "not sure"]
    replies += ["skip"] * (len(steps(plan, ctx)) - 6) + ["done"]
    plan, _ = walk(service, plan, *replies)
    assert plan.finished
    plan = reopen(plan, ctx)
    assert not plan.finished and current_step(plan, ctx) == "family_involvement"
    plan, _ = walk(service, plan, "Mum, and dad by phone")
    assert current_step(plan, ctx) == "grouping_and_order"  # the next open one
    plan, _ = walk(service, plan, *["skip"] * (len(ctx.sources.question_ids) - 2))
    assert current_step(plan, ctx) == ACTIONS
    plan, _ = walk(service, plan, "done")
    assert plan.finished and plan.answers["who_undertakes"].text == "Me"


def test_carry_on_later_keeps_the_place_and_gives_the_reference(service: PlanService) -> None:
    plan = service.create(ANYONE, service.new(ANYONE, "lewisham"), NOW, TODAY)
    plan, _ = walk(service, plan, "AB", "2/11/2026")
    turn = service.walk(ANYONE, plan, "carry on later", NOW, TODAY)
    assert turn.paused and not turn.finished
    assert turn.plan.cursor == BRANCHES
    assert turn.plan.id in turn.replies[0].text
    # Resumed later, from the stored plan, at the same question.
    stored = service.repository.get(plan.id)
    assert current_step(stored, service.context("lewisham", TODAY)) == BRANCHES


def test_the_last_answer_finishes_the_plan_with_a_summary(service: PlanService) -> None:
    plan = service.create(ANYONE, service.new(ANYONE, "regional"), NOW, TODAY)
    ctx = service.context("regional", TODAY)
    replies = ["AB", "2/11/2026", "None of these"]
    replies += ["skip"] * (len(steps(plan, ctx)) - 4)
    plan, _ = walk(service, plan, *replies)
    assert current_step(plan, ctx) == ACTIONS
    plan, _ = walk(
        service, plan, "Me: visit school by 4 December", "Manager: review within 10 working days"
    )
    assert [(a.who, a.what, a.due) for a in plan.actions] == [
        ("Me", "Visit school", "2026-12-04"),
        ("Manager", "Review", "working_days:10"),
    ]
    turn = service.walk(ANYONE, plan, "done", NOW, TODAY)
    assert turn.finished and turn.plan.finished
    summary = turn.replies[-1]
    assert "complete" in summary.text and "Still open" in summary.text
    assert summary.extras["plan"]["exports"]["docx"].endswith("format=docx")


def test_a_bad_answer_is_explained_and_nothing_is_lost(service: PlanService) -> None:
    plan = service.create(ANYONE, service.new(ANYONE, "kent"), NOW, TODAY)
    plan, said = walk(service, plan, "Jane Smith")
    assert "initials or a case reference" in said[0]
    assert plan.version == 1 and current_step(plan, service.context("kent", TODAY)) == CHILDREN
    plan, _ = walk(service, plan, "AB")
    plan, said = walk(service, plan, "31/02/2026")
    assert current_step(plan, service.context("kent", TODAY)) == REFERRAL
    assert "Try again" in said[0]
    plan, said = walk(service, plan, "1/12/2026")
    assert "in the future" in said[0]


def test_pre_birth_and_homeless_flags_ask_for_their_dates(service: PlanService) -> None:
    plan = service.create(ANYONE, service.new(ANYONE, "blackpool"), NOW, TODAY)
    plan, said = walk(
        service, plan, "AB", "2/11/2026", "pre-birth and homeless 16 17", "1/3/2027", "01/01/2009"
    )
    assert plan.expected_delivery_date == date(2027, 3, 1)
    assert plan.date_of_birth == date(2009, 1, 1)
    assert any("turns 18" in s for s in said)
    view = service.view(plan, TODAY)
    assert {"18th birthday"} <= {d.label for d in view.dates}
    assert any(a.what.startswith("Complete the assessment before") for a in view.actions)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Yes, mother's first language is Tigrinya", (True, "mother's first language is Tigrinya")),
        ("no - family speak fluent English", (False, "family speak fluent English")),
        ("Not needed", (False, "")),
        ("Parents agreed verbally on 20/11", (None, "Parents agreed verbally on 20/11")),
    ],
)
def test_decisions_are_read_with_their_reasons(
    text: str, expected: tuple[bool | None, str]
) -> None:
    assert read_decision(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Me: visit school by 4 December", ("Visit school", "Me", "2026-12-04")),
        (
            "Team manager: review the plan within 10 working days",
            ("Review the plan", "Team manager", "working_days:10"),
        ),
        ("Ring the GP by 27/11/2026", ("Ring the GP", "Social worker", "2026-11-27")),
    ],
)
def test_actions_are_read_as_who_what_and_by_when(
    text: str, expected: tuple[str, str, str]
) -> None:
    assert read_action(text, TODAY) == expected


def test_an_action_without_a_date_is_asked_for_one() -> None:
    with pytest.raises(PlanValidationError, match="By when"):
        read_action("Me: visit school", TODAY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Trafficking, modern slavery and the National Referral Mechanism", {"trafficking-nrm"}),
        ("trafficking and family abroad", {"trafficking-nrm", "family-abroad"}),
        ("None of these", set()),
        ("pre-birth", {"pre-birth"}),
        ("county lines exploitation", {"extra-familial-harm"}),
    ],
)
def test_branches_are_read_from_buttons_or_words(
    service: PlanService, text: str, expected: set[str]
) -> None:
    assert read_branches(text, service.context("kent", TODAY)) == expected


def test_why_a_planning_question_is_asked_quotes_the_procedure(service: PlanService) -> None:
    plan = service.new(ANYONE, "lewisham").with_changes(cursor="genogram")
    reply = explain_step(plan, service.context("lewisham", TODAY))
    assert "genogram" in reply.text
    assert reply.citations[0].section_id.startswith("lewisham/")


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("what does s47 mean?", True),
        ("how long have I got", True),
        ("/show_section", True),
        ("Mum and dad, separately at home", False),
        ("Me and a student social worker", False),
    ],
)
def test_questions_are_told_from_answers(text: str, question: bool) -> None:
    assert looks_like_question(text) is question


def test_plan_references_are_found_in_messages() -> None:
    assert find_plan_reference("carry on with plan 3fa2b1c9d0 please") == "3fa2b1c9d0"
    assert find_plan_reference("carry on with my plan") is None
    assert find_plan_reference("abcdefabcd") is None  # no digit: a word, not a reference


# --- Versions --------------------------------------------------------------------------


def test_every_change_is_a_new_version_and_stale_ones_conflict(service: PlanService) -> None:
    repository = service.repository
    first = service.create(ANYONE, service.new(ANYONE, "kent"), NOW, TODAY)
    second = repository.save(first.with_changes(referral_date=date(2026, 11, 2)), "a", NOW)
    assert (first.version, second.version) == (1, 2)
    with pytest.raises(PlanVersionConflictError) as conflict:
        repository.save(first.with_changes(referral_date=date(2026, 11, 3)), "b", NOW)
    assert conflict.value.current == 2
    assert repository.get(first.id, 1).referral_date is None
    assert repository.get(first.id).referral_date == date(2026, 11, 2)
    assert [v.version for v in repository.history(first.id)] == [1, 2]
    with pytest.raises(PlanNotFoundError):
        repository.get("0000000000")
