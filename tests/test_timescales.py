"""Timescales: golden dates over Christmas, New Year and Easter 2025-2028, properties for all
dates, each authority's local rules, and UK date reading."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import holidays
import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.core.guidance.timescale_answer import (
    RememberedDates,
    answer_timescales,
    asks_about_extension,
)
from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.core.replies import Reply
from assistant.core.timescales.attribution import NO_APPROVER, UNNAMED_APPROVER
from assistant.core.timescales.compute import (
    InvalidTimescaleInputError,
    TimescaleInputs,
    add_months,
)
from assistant.core.timescales.dates import DateParseError, Tense, find_dates, in_tense, parse_date
from assistant.core.timescales.formatting import long_date
from assistant.core.timescales.service import TimescaleService, load_timescale_service
from assistant.core.timescales.working_days import (
    OutsideCalendarError,
    WorkingCalendar,
)
from tests.conftest import KNOWLEDGE_DIR
from tests.golden_oracle import nth_working_day_after

GOLDEN = yaml.safe_load((Path(__file__).parent / "golden" / "timescales.yml").read_text())
TODAY = date(2026, 11, 23)
CALENDAR = WorkingCalendar()
ENGLAND = list(holidays.country_holidays("GB", subdiv="ENG", years=range(2015, 2041)))


@pytest.fixture(scope="module")
def service() -> TimescaleService:
    return load_timescale_service(KNOWLEDGE_DIR)


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=lambda c: str(c["referral"]))
def test_golden_working_day_counts(case: dict[str, date]) -> None:
    referral = case["referral"]
    for days in (10, 30, 45):
        counted = CALENDAR.add_working_days(referral, days).result
        assert counted == case[f"day_{days}"], days
        # Two independent implementations agree: GOV.UK's holidays with a plain count, and
        # numpy's business days (a non-working day 0 rolls back to the working day before,
        # which has no working day between it and the referral).
        assert counted == nth_working_day_after(referral, days)
        oracle = np.busday_offset(np.datetime64(referral), days, roll="backward", holidays=ENGLAND)
        assert counted == oracle.astype(date)


AUTHORITY_GOLDEN = yaml.safe_load(
    (Path(__file__).parent / "golden" / "authority_timescales.yml").read_text()
)["authorities"]


@pytest.mark.parametrize(
    ("authority", "case"),
    [(a, c) for a, cases in AUTHORITY_GOLDEN.items() for c in cases],
    ids=lambda v: str(v["referral"]) if isinstance(v, dict) else str(v),
)
def test_every_authority_counts_weekend_and_bank_holiday_referrals_from_the_day_itself(
    service: TimescaleService, authority: str, case: dict[str, Any]
) -> None:
    result = service.compute(authority, TimescaleInputs(case["referral"]), TODAY)
    assert result.assessment_due.when == case["assessment_due"]
    assert {c.working_days: c.when for c in result.checkpoints} == case["checkpoints"]


def test_the_examples_in_the_conventions(service: TimescaleService) -> None:
    saturday = service.compute("blackpool", TimescaleInputs(date(2027, 8, 7)), TODAY)
    assert saturday.assessment_due.when == date(2027, 10, 11)
    assert [c.when for c in saturday.checkpoints] == [date(2027, 8, 20), date(2027, 9, 20)]
    assert saturday.assessment_due.explanation.startswith(
        "45 working days after the referral on Saturday 7 August 2027 (day 0); "
        "Monday 9 August is working day 1; not counting weekends;"
    )
    good_friday = service.compute("kent", TimescaleInputs(date(2028, 4, 14)), TODAY)
    assert good_friday.assessment_due.when == date(2028, 6, 21)
    assert "Tuesday 18 April is working day 1" in good_friday.assessment_due.explanation
    monday = service.compute("kent", TimescaleInputs(date(2027, 8, 9)), TODAY)
    assert monday.assessment_due.when == date(2027, 10, 12)


@pytest.mark.parametrize(
    ("referral", "first_working_day"),
    [
        (date(2026, 12, 25), date(2026, 12, 29)),  # Christmas Day, then Boxing Day observed
        (date(2027, 3, 27), date(2027, 3, 30)),  # Saturday before Easter Monday
        (date(2026, 11, 21), date(2026, 11, 23)),  # a Saturday
        (date(2026, 11, 23), date(2026, 11, 24)),  # a Monday: Tuesday is working day 1
    ],
)
def test_the_referral_date_is_day_0_whatever_day_it_is(
    referral: date, first_working_day: date
) -> None:
    counted = CALENDAR.add_working_days(referral, 45)
    assert counted.start == referral
    assert counted.first_working_day == first_working_day


@settings(max_examples=300, deadline=None)
@given(
    referral=st.dates(min_value=date(2015, 1, 10), max_value=date(2039, 6, 30)),
    days=st.integers(min_value=1, max_value=120),
)
def test_a_non_working_day_referral_is_never_later_than_the_next_working_day(
    referral: date, days: int
) -> None:
    counted = CALENDAR.add_working_days(referral, days).result
    following = CALENDAR.next_working_day(referral + timedelta(days=1))
    assert counted <= CALENDAR.add_working_days(following, days).result
    if not CALENDAR.is_working_day(referral):
        # No working day lies between it and the working day before, so they share dates.
        before = CALENDAR.previous_working_day(referral)
        assert counted == CALENDAR.add_working_days(before, days).result
        assert counted < CALENDAR.add_working_days(following, days).result


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(min_value=date(2015, 1, 1), max_value=date(2039, 6, 30)),
    days=st.integers(min_value=0, max_value=120),
)
def test_properties_of_working_day_counting(start: date, days: int) -> None:
    counted = CALENDAR.add_working_days(start, days)
    assert CALENDAR.is_working_day(counted.result) or days == 0
    assert counted.result >= start
    # n working days span at least n weekdays
    weekdays = sum(
        1
        for n in range(1, (counted.result - counted.start).days + 1)
        if (counted.start + timedelta(days=n)).weekday() < 5
    )
    assert weekdays >= days
    assert CALENDAR.working_days_between(counted.start, counted.result) == days
    # more days never gives an earlier date
    assert CALENDAR.add_working_days(start, days + 1).result > counted.result


def test_closure_days_are_not_working_days() -> None:
    closed = WorkingCalendar(frozenset({date(2026, 12, 24)}))
    assert not closed.is_working_day(date(2026, 12, 24))
    assert closed.add_working_days(date(2026, 12, 23), 1).result == date(2026, 12, 29)
    assert closed.add_working_days(date(2026, 12, 23), 1).skipped_holidays[0] == (
        date(2026, 12, 24),
        "closure day",
    )


@pytest.mark.parametrize("year", [2014, 2041])
def test_years_outside_the_calendar_are_refused(year: int) -> None:
    with pytest.raises(OutsideCalendarError, match="2015 to 2040"):
        CALENDAR.add_working_days(date(year, 6, 2), 45)


def test_shared_dev_style_cases(service: TimescaleService) -> None:
    gateshead = service.compute("gateshead", TimescaleInputs(date(2026, 11, 2)), TODAY)
    assert gateshead.assessment_due.when == date(2027, 1, 7)
    assert [c.when for c in gateshead.checkpoints] == [date(2026, 11, 16)]
    blackpool = service.compute("blackpool", TimescaleInputs(date(2026, 11, 20)), TODAY)
    assert [c.working_days for c in blackpool.checkpoints] == [10, 30]
    assert [c.when for c in blackpool.checkpoints] == [date(2026, 12, 4), date(2027, 1, 6)]
    assert service.compute("kent", TimescaleInputs(date(2026, 11, 2)), TODAY).checkpoints == ()


def test_every_date_is_explained_with_the_holidays_it_skipped(service: TimescaleService) -> None:
    result = service.compute("kent", TimescaleInputs(date(2026, 12, 18)), TODAY)
    due = result.assessment_due
    assert due.when == date(2027, 2, 24)
    assert "45 working days after the referral on Friday 18 December 2026 (day 0)" in (
        due.explanation
    )
    assert "Christmas Day on 25 December" in due.explanation
    assert [name for _, name in due.skipped_holidays][:1] == ["Christmas Day"]
    assert due.section == "kent/11-timescales"


def test_days_left_and_overdue_against_the_clock(service: TimescaleService) -> None:
    inputs = TimescaleInputs(date(2026, 11, 2))
    before = service.compute("kent", inputs, date(2027, 1, 5)).assessment_due
    assert (before.days_left, before.status) == (2, "2 working days left")
    on_the_day = service.compute("kent", inputs, date(2027, 1, 7)).assessment_due
    assert on_the_day.status == "due today"
    late = service.compute("kent", inputs, date(2027, 1, 11))
    assert late.assessment_due.status == "overdue by 2 working days"
    assert any("overdue" in w for w in late.warnings)


def test_a_future_referral_is_a_warning_not_an_error(service: TimescaleService) -> None:
    result = service.compute("kent", TimescaleInputs(date(2027, 1, 4)), TODAY)
    assert any("in the future" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("edd", "expected", "moved"),
    [
        (date(2027, 11, 14), date(2027, 10, 15), True),  # 17 Oct is a Sunday
        (date(2026, 6, 30), date(2026, 6, 2), False),
        (date(2027, 5, 3), date(2027, 4, 5), False),
        (date(2027, 4, 26), date(2027, 3, 25), True),  # Easter Monday, back past Good Friday
    ],
)
def test_pre_birth_is_four_weeks_before_the_edd_on_a_working_day(
    service: TimescaleService, edd: date, expected: date, moved: bool
) -> None:
    result = service.compute("kent", TimescaleInputs(date(2026, 3, 2), edd), date(2026, 3, 2))
    assert result.pre_birth_complete_by is not None
    assert result.pre_birth_complete_by.when == expected
    assert ("moved back" in result.pre_birth_complete_by.explanation) is moved


def test_pre_birth_warnings(service: TimescaleService) -> None:
    early = service.compute("kent", TimescaleInputs(date(2026, 11, 2), date(2027, 1, 4)), TODAY)
    assert any("comes before the 45 working day date" in w for w in early.warnings)
    assert any("Only" in w and "pre-birth" in w for w in early.warnings)
    past = service.compute("kent", TimescaleInputs(date(2026, 10, 1), date(2026, 11, 30)), TODAY)
    assert any("already passed" in w for w in past.warnings)


@pytest.mark.parametrize("authority", ["lewisham", "regional"])
def test_another_authoritys_pre_birth_rule_is_labelled_as_theirs(
    service: TimescaleService, authority: str
) -> None:
    """Lewisham's and the regional chapters state no pre-birth timescale: the date is still
    worked out, but from the chapter that states it, and everything says whose it is."""
    assert service.rules[authority].pre_birth_section is None
    result = service.compute(authority, TimescaleInputs(date(2026, 11, 2), date(2027, 1, 4)), TODAY)
    pre = result.pre_birth_complete_by
    assert pre is not None and pre.borrowed is not None
    owner = pre.borrowed.authority
    assert owner != authority
    assert pre.section == service.rules[owner].pre_birth_section
    whose = f"{service.authorities.get(owner).short_name}'s procedure"
    assert f"{whose} states this rule; yours doesn't state a pre-birth timescale." in (
        pre.explanation
    )
    assert pre.display_label.endswith(f"{whose}, not yours")
    assert pre.how_counted == pre.explanation.split(f" {whose}")[0]
    # The warnings about the date say whose rule it is, and don't make it the worker's.
    about_pre_birth = [w for w in result.warnings if "pre-birth" in w]
    assert about_pre_birth and all(whose in w for w in about_pre_birth)
    assert not any("is the one to work to" in w for w in about_pre_birth)


def test_an_authoritys_own_pre_birth_rule_is_not_labelled(service: TimescaleService) -> None:
    result = service.compute("kent", TimescaleInputs(date(2026, 11, 2), date(2027, 6, 1)), TODAY)
    pre = result.pre_birth_complete_by
    assert pre is not None and pre.borrowed is None
    assert pre.section == "kent/11-1-pre-birth-good-practice-steps"
    assert pre.display_label == pre.label and "procedure" not in pre.explanation


@pytest.mark.parametrize(
    ("born", "warned"),
    [(date(2009, 1, 5), True), (date(2009, 1, 7), True), (date(2009, 1, 8), False)],
)
def test_a_young_person_turning_18_before_the_due_date_is_warned(
    service: TimescaleService, born: date, warned: bool
) -> None:
    # referral 2 Nov 2026 is due Thursday 7 January 2027
    result = service.compute("kent", TimescaleInputs(date(2026, 11, 2), date_of_birth=born), TODAY)
    assert any("turns 18" in w for w in result.warnings) is warned
    assert result.eighteenth_birthday == add_months(born, 216)


def test_an_adult_at_referral_and_a_birth_after_referral(service: TimescaleService) -> None:
    adult = service.compute(
        "kent", TimescaleInputs(date(2026, 11, 2), date_of_birth=date(2008, 1, 1)), TODAY
    )
    assert any("turned 18" in w for w in adult.warnings)
    with pytest.raises(InvalidTimescaleInputError):
        service.compute(
            "kent", TimescaleInputs(date(2026, 11, 2), date_of_birth=date(2026, 12, 1)), TODAY
        )


def test_local_rules_come_from_data(service: TimescaleService) -> None:
    visit = TimescaleInputs(
        date(2026, 11, 2), visit_date=date(2026, 12, 24), cin_plan_start_date=date(2026, 3, 31)
    )
    gateshead = {i.key: i for i in service.compute("gateshead", visit, TODAY).others}
    assert gateshead["cin_visit_recorded"].when == date(2026, 12, 30)  # skips 25th and 28th
    assert "cin_plan_update" not in gateshead
    blackpool = {i.key: i for i in service.compute("blackpool", visit, TODAY).others}
    assert blackpool["assessment_review"].when == date(2028, 1, 7)
    assert "cin_visit_recorded" not in blackpool
    lewisham = {i.key: i for i in service.compute("lewisham", visit, TODAY).others}
    assert lewisham["cin_plan_update"].when == date(2026, 12, 31)
    approver = service.rules["gateshead"].extension.approver
    assert approver is not None and approver.text == "a Service Manager"


def test_every_rule_cites_a_section_that_exists(
    service: TimescaleService, knowledge_base: KnowledgeBase
) -> None:
    for rules in service.rules.values():
        for section_id in rules.section_ids():
            assert section_id in knowledge_base.sections, section_id


@pytest.mark.parametrize(
    ("text", "expected", "note"),
    [
        ("the referral came in on 14 December", date(2026, 12, 14), "14 December 2026"),
        ("referral date 2 November 2026", date(2026, 11, 2), None),
        ("03/04", date(2027, 4, 3), "3 April 2027"),
        ("14/12/26", date(2026, 12, 14), "14 December 2026"),
        ("2026-12-14", date(2026, 12, 14), None),
        ("December 14th, 2026", date(2026, 12, 14), None),
        ("it came in yesterday", date(2026, 11, 22), "Sunday 22 November 2026"),
        ("last Monday", date(2026, 11, 16), "Monday 16 November 2026"),
        ("2 weeks ago", date(2026, 11, 9), "Monday 9 November 2026"),
        ("on the 1st of March 2027", date(2027, 3, 1), None),
    ],
)
def test_reading_dates_the_uk_way(text: str, expected: date, note: str | None) -> None:
    [found] = find_dates(text, TODAY)
    assert found.when == expected
    assert (note in found.note) if note else found.note is None


@pytest.mark.parametrize("text", ["31/02/2027", "30 February", "14/13/2026", "2026-02-30"])
def test_impossible_dates_are_errors(text: str) -> None:
    with pytest.raises(DateParseError):
        find_dates(text, TODAY)


def test_parse_date_wants_exactly_one_date() -> None:
    assert parse_date("14/12/2026", TODAY).when == date(2026, 12, 14)
    with pytest.raises(DateParseError, match="Could not read"):
        parse_date("next blue moon", TODAY)


def test_long_dates_are_written_out_in_full() -> None:
    assert long_date(date(2027, 2, 18)) == "Thursday 18 February 2027"


# Said on Wednesday 2 December 2026 (issue 15's examples of how workers write dates).
SAID_ON = date(2026, 12, 2)


@pytest.mark.parametrize(
    ("text", "tense", "expected"),
    [
        ("The referral came in on 14 December", Tense.PAST, date(2025, 12, 14)),
        ("The referral came in on 14 December", Tense.FUTURE, date(2026, 12, 14)),
        ("14/12", Tense.PAST, date(2025, 12, 14)),
        ("2nd october", Tense.PAST, date(2026, 10, 2)),
        ("2nd of Oct", Tense.FUTURE, date(2027, 10, 2)),
        ("the 3rd", Tense.PAST, date(2026, 11, 3)),
        ("the 3rd", Tense.FUTURE, date(2026, 12, 3)),
        ("on the 31st", Tense.PAST, date(2026, 10, 31)),  # November has no 31st
        ("tues just gone", Tense.PAST, date(2026, 12, 1)),
        ("weds gone", Tense.PAST, date(2026, 11, 25)),  # said on a Wednesday: a week ago
        ("last thurs", Tense.PAST, date(2026, 11, 26)),
        ("a week last Monday", Tense.PAST, date(2026, 11, 23)),
        ("a fortnight ago", Tense.PAST, date(2026, 11, 18)),
        ("on Friday", Tense.PAST, date(2026, 11, 27)),
        ("on Friday", Tense.FUTURE, date(2026, 12, 4)),
        ("next wed", Tense.PAST, date(2026, 12, 9)),
        ("Tuesday", Tense.PAST, date(2026, 12, 1)),
        ("14th", Tense.PAST, date(2026, 11, 14)),
        ("29 February", Tense.PAST, date(2024, 2, 29)),
        ("29 February", Tense.FUTURE, date(2028, 2, 29)),
    ],
)
def test_dates_as_workers_write_them_in_the_tense_of_what_they_date(
    text: str, tense: Tense, expected: date
) -> None:
    [found] = find_dates(text, SAID_ON, tense)
    assert found.when == expected
    assert found.note is not None and str(expected.year) in found.note  # says which year


@pytest.mark.parametrize(
    "text",
    [
        "she works Monday to Friday",
        "sat with mum",
        "the 15 year old",
        "his 2nd visit went well",
        "Thursday 18 February 2027 is the one",  # the weekday of a date, found once
    ],
)
def test_words_that_only_look_like_dates(text: str) -> None:
    found = find_dates(text, SAID_ON, Tense.PAST)
    assert [f.text for f in found] in ([], ["18 February 2027"])


def test_a_date_found_is_read_again_in_its_role_s_tense() -> None:
    [found] = find_dates("referral 14 December, what's due", SAID_ON)
    assert found.when == date(2026, 12, 14)  # nearest, until its role is known
    again = in_tense(found, SAID_ON, Tense.PAST)
    assert (again.when, again.start, again.text) == (date(2025, 12, 14), found.start, found.text)


def test_the_chat_reads_a_yearless_referral_date_in_the_past_and_says_so(
    service: TimescaleService, knowledge_base: KnowledgeBase
) -> None:
    answer = answer_timescales(
        "The referral came in on 14 December, when's it due?",
        "gateshead",
        service,
        knowledge_base,
        SAID_ON,
        RememberedDates(),
    )
    assert answer.remembered.referral_date == "2025-12-14"
    assert "I've taken 14 December as 14 December 2025, the most recent one." in (answer.reply.text)
    edd = answer_timescales(
        "referral today, baby due 3/3", "kent", service, knowledge_base, SAID_ON, RememberedDates()
    )
    assert edd.remembered.expected_delivery_date == "2027-03-03"  # the next one


# Whose rule it is: only what the worker's own chapter says, under their name.

AUTHORITY_IDS = ("gateshead", "blackpool", "kent", "lewisham", "regional")


@pytest.mark.parametrize("authority", AUTHORITY_IDS)
def test_extension_advice_says_only_what_the_chapter_says(
    service: TimescaleService, authority: str
) -> None:
    advice = service.extension_advice(authority)
    approver = service.rules[authority].extension.approver
    sentences = advice.sentences()
    if approver is not None:
        assert advice.stated_by_procedure and advice.shown_others == ()
        assert sentences[0] == f"Your procedure says {approver.text} agrees an extension."
        assert "Other authorities" not in advice.text
        return
    assert sentences[0] == NO_APPROVER
    assert advice.approver == UNNAMED_APPROVER
    naming = {a for a, r in service.rules.items() if r.extension.approver and a != authority}
    assert naming and {o.authority for o in advice.shown_others} == naming
    # Every other authority's approver appears only in a sentence labelled as theirs.
    for other in advice.shown_others:
        named = service.rules[other.authority].extension.approver
        assert named is not None
        short = service.authorities.get(other.authority).short_name
        assert f"{short}'s procedure says {named.text} agrees an extension" in advice.text
        assert all(
            f"{short}'s procedure says {named.text}" in s for s in sentences if named.text in s
        )
    assert set(advice.quotes()) == {
        *advice.own_sections,
        *(o.section for o in advice.shown_others),
    }


@pytest.mark.parametrize("authority", AUTHORITY_IDS)
def test_the_overdue_warning_names_no_approver_the_chapter_does_not(
    service: TimescaleService, authority: str
) -> None:
    result = service.compute(authority, TimescaleInputs(date(2026, 9, 1)), TODAY)
    [overdue] = [w for w in result.warnings if "overdue" in w]
    assert overdue.endswith(result.extension.summary)
    approver = service.rules[authority].extension.approver
    if approver is None:
        assert overdue.endswith(NO_APPROVER)
        for words in ("team manager", "Practice Supervisor", "Service Manager", "management"):
            assert words not in overdue


@pytest.fixture
def knowledge(knowledge_base: KnowledgeBase) -> KnowledgeBase:
    return knowledge_base


def _answer(
    text: str, authority: str, service: TimescaleService, knowledge: KnowledgeBase
) -> Reply:
    return answer_timescales(text, authority, service, knowledge, TODAY, RememberedDates()).reply


def _quotes_are_in_their_sections(reply: Reply, knowledge: KnowledgeBase) -> None:
    for citation in reply.citations:
        text = " ".join(knowledge.sections[citation.section_id].text.split())
        for sentence in filter(None, citation.quote.split("\n")):
            assert " ".join(sentence.split()) in text


@pytest.mark.parametrize(
    "question",
    [
        "who can agree an extension?",
        "can the 45 days be extended",
        "my CFA won't be done by day 45, how do i get more time agreed?",
    ],
)
def test_an_extension_question_is_answered_from_the_workers_chapter(
    service: TimescaleService, knowledge: KnowledgeBase, question: str
) -> None:
    assert asks_about_extension(question)
    gateshead = _answer(question, "gateshead", service, knowledge)
    assert gateshead.text.startswith("Going past the 45 working days — Gateshead procedure.")
    assert "1. Your procedure says a Service Manager agrees an extension." in gateshead.text
    assert "Mosaic" in gateshead.text and "Other authorities" not in gateshead.text
    assert [c.authority for c in gateshead.citations] == ["gateshead"]
    assert "permission must be sought from a Service Manager" in gateshead.citations[0].quote
    _quotes_are_in_their_sections(gateshead, knowledge)

    kent = _answer(question, "kent", service, knowledge)
    assert f"1. {NO_APPROVER}" in kent.text
    assert "Practice Supervisor" not in kent.text
    for line in kent.text.splitlines():  # another's approver only under their name
        if "Service Manager" in line:
            assert "Gateshead's procedure says a Service Manager" in line
    assert [c.authority for c in kent.citations] == ["kent", "gateshead", "lewisham"]
    assert "Sources: Kent — 11. Timescales" in kent.text
    _quotes_are_in_their_sections(kent, knowledge)


@pytest.mark.parametrize(
    "text", ["when is it due?", "referral 2 November", "how many days to complete a CAFA"]
)
def test_not_every_timescale_question_is_about_an_extension(text: str) -> None:
    assert not asks_about_extension(text)


def test_a_borrowed_pre_birth_rule_is_labelled_in_the_chat(
    service: TimescaleService, knowledge: KnowledgeBase
) -> None:
    remembered = RememberedDates(expected_delivery_date="2027-06-01")
    reply = answer_timescales(
        "referral 2 November, when is it due?", "lewisham", service, knowledge, TODAY, remembered
    ).reply
    [pre] = [line for line in reply.text.splitlines() if "4 weeks before" in line]
    assert re.match(r"^\d+\. Gateshead's procedure says to complete the assessment", pre)
    assert "Yours doesn't state a pre-birth timescale" in pre
    assert "Should:" not in pre
    gateshead = [c for c in reply.citations if c.authority == "gateshead"]
    assert gateshead and "at least 4 weeks before" in gateshead[0].quote
    card = reply.extras["timescales"]
    assert isinstance(card, dict)
    [dated] = [d for d in card["dates"] if d["rule_authority"] == "gateshead"]
    assert dated["label"].endswith("Gateshead's procedure, not yours")
    _quotes_are_in_their_sections(reply, knowledge)


@pytest.mark.parametrize(("authority", "owner"), [("regional", "gateshead"), ("kent", "kent")])
def test_an_edd_alone_says_whose_pre_birth_rule_it_is(
    service: TimescaleService, knowledge: KnowledgeBase, authority: str, owner: str
) -> None:
    reply = _answer("EDD 1 June 2027, when's the pre-birth due", authority, service, knowledge)
    [citation] = reply.citations
    assert citation.authority == owner
    assert "at least 4 weeks before" in citation.quote
    own = owner == authority
    assert ("1. Should: complete the pre-birth assessment" in reply.text) is own
    assert ("1. Gateshead's procedure says to complete" in reply.text) is not own
    assert ("Yours doesn't state a pre-birth timescale" in reply.text) is not own


def test_each_date_in_one_message_takes_the_role_of_the_cue_nearest_before_it(
    service: TimescaleService, knowledge_base: KnowledgeBase
) -> None:
    answer = answer_timescales(
        "referral 1 september 2026, EDD 10/01/2027",
        "kent",
        service,
        knowledge_base,
        SAID_ON,
        RememberedDates(),
    )
    assert answer.remembered.referral_date == "2026-09-01"
    assert answer.remembered.expected_delivery_date == "2027-01-10"
