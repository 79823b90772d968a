"""Every deadline that applies to an assessment, each with how it was counted."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from assistant.core.authorities import possessive
from assistant.core.timescales.attribution import (
    ExtensionAdvice,
    OtherAuthorityRule,
    OtherRules,
    borrowed_pre_birth_note,
)
from assistant.core.timescales.formatting import long_date, plural
from assistant.core.timescales.rules import TimescaleRules
from assistant.core.timescales.working_days import Counted, WorkingCalendar

PRE_BIRTH_WEEKS = 4
# A pre-birth date this close (in working days) is "nearly past" and worth a warning.
NEARLY_PAST_WORKING_DAYS = 10


class InvalidTimescaleInputError(ValueError):
    pass


@dataclass(frozen=True)
class TimescaleInputs:
    referral_date: date
    expected_delivery_date: date | None = None
    date_of_birth: date | None = None
    visit_date: date | None = None
    cin_plan_start_date: date | None = None


@dataclass(frozen=True)
class DatedItem:
    """One deadline: what it is, when, how it was counted, and where the rule comes from."""

    key: str
    label: str
    when: date
    explanation: str
    section: str | None
    working_days: int | None = None
    skipped_holidays: tuple[tuple[date, str], ...] = ()
    days_left: int | None = None  # working days from today; negative when overdue
    # Set when the worker's own chapter does not state this rule and it is another
    # authority's: every channel then labels it as theirs.
    borrowed: OtherAuthorityRule | None = None

    @property
    def display_label(self) -> str:
        """The label, saying whose rule it is when it is another authority's."""
        if self.borrowed is None:
            return self.label
        return f"{self.label} — {possessive(self.borrowed.short_name)} procedure, not yours"

    @property
    def how_counted(self) -> str:
        """The explanation without the note of whose rule it is, for a reply saying it already."""
        if self.borrowed is None:
            return self.explanation
        return self.explanation.removesuffix(f" {borrowed_pre_birth_note(self.borrowed)}")

    @property
    def status(self) -> str:
        if self.days_left is None:
            return ""
        if self.days_left > 0:
            return f"{plural(self.days_left, 'working day')} left"
        if self.days_left == 0:
            return "due today"
        return f"overdue by {plural(-self.days_left, 'working day')}"


@dataclass(frozen=True)
class TimescaleResult:
    authority: str
    inputs: TimescaleInputs
    assessment_due: DatedItem
    checkpoints: tuple[DatedItem, ...]
    pre_birth_complete_by: DatedItem | None
    others: tuple[DatedItem, ...]
    warnings: tuple[str, ...]
    extension: ExtensionAdvice
    today: date
    eighteenth_birthday: date | None = None

    @property
    def all_dates(self) -> tuple[DatedItem, ...]:
        pre_birth = (self.pre_birth_complete_by,) if self.pre_birth_complete_by else ()
        return (*self.checkpoints, self.assessment_due, *pre_birth, *self.others)

    @property
    def extension_section(self) -> str:
        return self.extension.extension.section

    def quotes(self) -> dict[str, list[str]]:
        """Section id -> the sentences of it an answer about these dates relies on (empty
        where a section is cited for a counted date alone), the worker's own sections first."""
        quoted: dict[str, list[str]] = {i.section: [] for i in self.all_dates if i.section}
        for section_id, sentences in self.extension.quotes().items():
            quoted.setdefault(section_id, []).extend(sentences)
        for item in self.all_dates:
            if item.borrowed is not None:
                quoted.setdefault(item.borrowed.section, []).extend(item.borrowed.quote)
        return {s: list(dict.fromkeys(q)) for s, q in quoted.items()}


def _skipped_text(counted: Counted) -> str:
    if not counted.skipped_holidays:
        return "no bank holidays in between"
    names = ", ".join(f"{name} on {d.day} {d:%B}" for d, name in counted.skipped_holidays)
    return f"skipping {names}"


def _day_one_text(counted: Counted, given: date) -> str:
    """Which day was working day 1, said plainly: the step workers most often count wrong."""
    first = counted.first_working_day
    if first is None:
        return ""
    same_year = first.year == given.year
    when = f"{first:%A} {first.day} {first:%B}" if same_year else long_date(first)
    return f"; {when} is working day 1"


def _counted_item(
    key: str,
    label: str,
    counted: Counted,
    days: int,
    given: date,
    section: str | None,
    today: date,
    work: WorkingCalendar,
    given_as: str = "the referral",
) -> DatedItem:
    explanation = (
        f"{plural(days, 'working day')} after {given_as} on {long_date(given)} (day 0)"
        f"{_day_one_text(counted, given)}; not counting weekends; {_skipped_text(counted)}."
    )
    return DatedItem(
        key,
        label,
        counted.result,
        explanation,
        section,
        days,
        counted.skipped_holidays,
        work.working_days_between(today, counted.result),
    )


def add_months(when: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has no such day."""
    month_index = when.month - 1 + months
    year, month = when.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(when.day, calendar.monthrange(year, month)[1]))


def _eighteenth_birthday(born: date) -> date:
    return add_months(born, 18 * 12)


def compute_timescales(
    inputs: TimescaleInputs,
    rules: TimescaleRules,
    work: WorkingCalendar,
    today: date,
    other_authorities: OtherRules | None = None,
) -> TimescaleResult:
    """All dates for one referral. Raises OutsideCalendarError or InvalidTimescaleInputError.

    `other_authorities` are other authorities' rules for what `rules`' chapter does not state (see
    TimescaleService): used only labelled as theirs.
    """
    borrowable = other_authorities or OtherRules()
    extension = ExtensionAdvice(rules.extension, borrowable.extension_approvers)
    referral = inputs.referral_date
    work.check(referral)
    warnings: list[str] = []
    if referral > today:
        warnings.append(
            f"The referral date {long_date(referral)} is in the future; check it is right."
        )
    due_count = work.add_working_days(referral, rules.assessment_working_days)
    due = _counted_item(
        "assessment_due",
        "Assessment to conclude",
        due_count,
        rules.assessment_working_days,
        referral,
        rules.section,
        today,
        work,
    )
    if due.days_left is not None and due.days_left < 0:
        warnings.append(
            f"The assessment was due on {long_date(due.when)} and is {due.status}. "
            f"{extension.summary}"
        )
    checkpoints = tuple(
        _counted_item(
            f"checkpoint_{c.working_days}",
            c.label,
            work.add_working_days(referral, c.working_days),
            c.working_days,
            referral,
            c.section,
            today,
            work,
        )
        for c in rules.checkpoints
    )
    pre_birth = None
    if inputs.expected_delivery_date is not None:
        pre_birth = _pre_birth(
            inputs.expected_delivery_date,
            due,
            rules,
            work,
            today,
            borrowable.pre_birth,
            warnings,
        )
    others: list[DatedItem] = []
    eighteenth = None
    if inputs.date_of_birth is not None:
        eighteenth = _check_age(inputs.date_of_birth, referral, due, warnings)
    if inputs.visit_date is not None and rules.cin_visit_record_working_days:
        days = rules.cin_visit_record_working_days
        others.append(
            _counted_item(
                "cin_visit_recorded",
                "Child in need visit recorded",
                work.add_working_days(inputs.visit_date, days),
                days,
                inputs.visit_date,
                rules.cin_visit_section,
                today,
                work,
                given_as="the visit",
            )
        )
    if rules.review_every_months:
        review = work.previous_working_day(add_months(due.when, rules.review_every_months))
        others.append(
            DatedItem(
                "assessment_review",
                "Assessment reviewed and updated (at least annually)",
                review,
                f"{plural(rules.review_every_months, 'month')} after the assessment's due date "
                f"({long_date(due.when)}), on a working day; sooner if it concluded earlier.",
                rules.review_section,
                None,
                (),
                work.working_days_between(today, review),
            )
        )
    if rules.cin_plan_update_months and inputs.cin_plan_start_date is not None:
        update = work.previous_working_day(
            add_months(inputs.cin_plan_start_date, rules.cin_plan_update_months)
        )
        others.append(
            DatedItem(
                "cin_plan_update",
                "Assessment updated (Child in Need plan at nine months)",
                update,
                f"{plural(rules.cin_plan_update_months, 'month')} after the Child in Need plan "
                f"began on {long_date(inputs.cin_plan_start_date)}, on a working day.",
                rules.cin_plan_section,
                None,
                (),
                work.working_days_between(today, update),
            )
        )
    return TimescaleResult(
        rules.authority,
        inputs,
        due,
        checkpoints,
        pre_birth,
        tuple(others),
        tuple(warnings),
        extension,
        today,
        eighteenth,
    )


def pre_birth_complete_by(edd: date, work: WorkingCalendar) -> tuple[date, str]:
    """Four weeks before the EDD, moved back to a working day, and how it was counted."""
    work.check(edd)
    four_weeks_before = edd - timedelta(weeks=PRE_BIRTH_WEEKS)
    complete_by = work.previous_working_day(four_weeks_before)
    moved = (
        ""
        if complete_by == four_weeks_before
        else f", moved back to the working day before because {long_date(four_weeks_before)} "
        "is not a working day"
    )
    explanation = (
        f"{PRE_BIRTH_WEEKS} weeks (28 days) before the expected delivery date "
        f"{long_date(edd)}{moved}."
    )
    return complete_by, explanation


def _pre_birth(
    edd: date,
    due: DatedItem,
    rules: TimescaleRules,
    work: WorkingCalendar,
    today: date,
    other_authority: OtherAuthorityRule | None,
    warnings: list[str],
) -> DatedItem:
    complete_by, explanation = pre_birth_complete_by(edd, work)
    borrowed = None if rules.pre_birth_section else other_authority
    # Another authority's date is never put to the worker as their own rule.
    note = borrowed_pre_birth_note(borrowed) if borrowed else ""
    if note:
        explanation = f"{explanation} {note}"
    item = DatedItem(
        "pre_birth_complete_by",
        "Pre-birth assessment complete (4 weeks before the EDD)",
        complete_by,
        explanation,
        rules.pre_birth_section or (borrowed.section if borrowed else None),
        None,
        (),
        work.working_days_between(today, complete_by),
        borrowed,
    )
    whose = f" ({note.rstrip('.')})" if note else ""
    if complete_by < due.when:
        work_to = (
            f"agree with your manager which date to work to. {note}"
            if note
            else "the pre-birth date is the one to work to."
        )
        warnings.append(
            f"The pre-birth date ({long_date(complete_by)}) comes before the 45 working day "
            f"date ({long_date(due.when)}): {work_to}"
        )
    if item.days_left is not None and item.days_left < 0:
        warnings.append(
            f"The pre-birth completion date {long_date(complete_by)}{whose} has already "
            "passed: tell your manager today."
        )
    elif item.days_left is not None and item.days_left <= NEARLY_PAST_WORKING_DAYS:
        warnings.append(
            f"Only {item.status.replace(' left', '')} until the pre-birth completion date "
            f"({long_date(complete_by)}){whose}: plan the remaining work with your manager now."
        )
    return item


def _check_age(born: date, referral: date, due: DatedItem, warnings: list[str]) -> date:
    if born > referral:
        raise InvalidTimescaleInputError("The date of birth is after the referral date.")
    eighteenth = _eighteenth_birthday(born)
    if eighteenth <= referral:
        warnings.append(
            f"The young person turned 18 on {long_date(eighteenth)}, before the referral: "
            "children's assessment duties no longer apply; talk to your manager about adult "
            "services and any leaving care duties."
        )
    elif due.when >= eighteenth:
        warnings.append(
            f"The young person turns 18 on {long_date(eighteenth)}, on or before the "
            f"assessment's due date ({long_date(due.when)}): plan to conclude before the "
            "birthday and talk to your manager about what happens at 18."
        )
    return eighteenth
