"""A plan's dates, worked out from its inputs each time, and what moved when an input changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from assistant.core.plans.model import Action, Plan, is_due_rule
from assistant.core.timescales.compute import DatedItem, TimescaleInputs, TimescaleResult
from assistant.core.timescales.formatting import long_date, plural
from assistant.core.timescales.service import TimescaleService


@dataclass(frozen=True)
class PlanDates:
    """The statutory and local dates, and each action's and review point's date."""

    timescales: TimescaleResult | None
    actions: tuple[date | None, ...]
    review_points: tuple[date | None, ...]

    @property
    def by_label(self) -> dict[str, date]:
        """Every dated thing by a label a worker recognises (used to say what moved)."""
        labelled: dict[str, date] = {}
        if self.timescales:
            labelled.update({item.label: item.when for item in self.timescales.all_dates})
            if self.timescales.eighteenth_birthday:
                labelled["18th birthday"] = self.timescales.eighteenth_birthday
        return labelled


def plan_timescales(plan: Plan, service: TimescaleService, today: date) -> TimescaleResult | None:
    """The timescales for the plan's inputs; None until it has a referral date.

    Raises the timescale module's errors for inputs that cannot be right (a date of birth
    after the referral), which callers turn into a question to the worker.
    """
    if plan.referral_date is None:
        return None
    inputs = TimescaleInputs(
        referral_date=plan.referral_date,
        expected_delivery_date=(
            plan.expected_delivery_date if "pre-birth" in plan.branches else None
        ),
        date_of_birth=plan.date_of_birth,
    )
    return service.compute(plan.authority, inputs, today)


def due_date(due: str, result: TimescaleResult | None, service: TimescaleService) -> date | None:
    """The date a due rule gives for these timescales (None while it cannot be known)."""
    if not is_due_rule(due):
        return date.fromisoformat(due)
    if result is None:
        return None
    kind, _, days = due.partition(":")
    if kind == "working_days":
        calendar = service.calendar(result.authority)
        return calendar.add_working_days(result.inputs.referral_date, int(days)).result
    if due == "assessment_due":
        return result.assessment_due.when
    if due == "pre_birth_complete_by":
        item: DatedItem | None = result.pre_birth_complete_by
        return item.when if item else None
    if due == "18th_birthday":
        return result.eighteenth_birthday
    return None


def describe_due(due: str) -> str:
    """How a rule-based date is worked out, for "How I counted"."""
    kind, _, days = due.partition(":")
    if kind == "working_days":
        return f"{plural(int(days), 'working day')} from the referral"
    return {
        "assessment_due": "the assessment's due date",
        "pre_birth_complete_by": "4 weeks before the expected delivery date",
        "18th_birthday": "the young person's 18th birthday",
    }.get(due, "the date you gave")


def plan_dates(plan: Plan, service: TimescaleService, today: date) -> PlanDates:
    result = plan_timescales(plan, service, today)
    return PlanDates(
        result,
        tuple(due_date(a.due, result, service) for a in plan.actions),
        tuple(due_date(r.due, result, service) for r in plan.review_points),
    )


def _action_labels(actions: tuple[Action, ...], dates: tuple[date | None, ...]) -> dict[str, date]:
    return {a.what: d for a, d in zip(actions, dates, strict=True) if d is not None}


def what_moved(before: Plan, after: Plan, service: TimescaleService, today: date) -> list[str]:
    """One line per date that changed between two versions of a plan, in plain words."""
    old, new = plan_dates(before, service, today), plan_dates(after, service, today)
    old_labels = old.by_label | _action_labels(before.actions, old.actions)
    new_labels = new.by_label | _action_labels(after.actions, new.actions)
    lines = []
    for label, when in new_labels.items():
        was = old_labels.get(label)
        if was is None:
            continue
        if was != when:
            lines.append(f"{label}: {long_date(was)} → {long_date(when)}")
    for label in old_labels.keys() - new_labels.keys():
        lines.append(f"{label}: no longer applies (was {long_date(old_labels[label])})")
    return lines
