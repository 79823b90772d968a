"""Request and response bodies of /api/plans."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from assistant.core.plans.editing import PlanChanges
from assistant.core.plans.model import (
    BRANCH_IDS,
    MAX_ANSWER_CHARS,
    MAX_CHILDREN,
    Action,
    Answer,
    AnswerStatus,
    Child,
    Decision,
    ReviewPoint,
)
from assistant.web.schemas import MAX_COUNT, NOT_BLANK, IsoDate

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_ANSWER_CHARS)]
ShortText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300, pattern=NOT_BLANK)
]
BranchId = Literal[
    "homeless-16-17", "trafficking-nrm", "family-abroad", "extra-familial-harm", "pre-birth"
]
assert set(BranchId.__args__) == set(BRANCH_IDS)  # type: ignore[attr-defined]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ChildIn(_Strict):
    reference: ShortText = Field(description="Initials or a case reference: never a name.")
    date_of_birth: IsoDate | None = None


class AnswerIn(_Strict):
    text: Text = ""
    status: AnswerStatus = AnswerStatus.ANSWERED


class DecisionIn(_Strict):
    decided: bool | None = Field(description="Yes, no, or null while undecided.")
    reason: Text = ""


class ActionIn(_Strict):
    what: ShortText
    who: ShortText
    due: ShortText = Field(
        description="YYYY-MM-DD, working_days:<n> (from the referral), assessment_due, "
        "pre_birth_complete_by or 18th_birthday"
    )
    done: bool = False


class ReviewPointIn(_Strict):
    label: ShortText
    due: ShortText


class PlanFields(_Strict):
    children: list[ChildIn] | None = Field(default=None, max_length=MAX_CHILDREN)
    referral_date: IsoDate | None = None
    expected_delivery_date: IsoDate | None = None
    branches: list[BranchId] | None = None
    answers: dict[str, AnswerIn] = Field(default_factory=dict, max_length=60)
    decisions: dict[str, DecisionIn] = Field(default_factory=dict, max_length=10)
    actions: list[ActionIn] | None = Field(default=None, max_length=100)
    review_points: list[ReviewPointIn] | None = Field(default=None, max_length=50)
    checklist: dict[str, bool] = Field(default_factory=dict, max_length=20)
    finished: bool | None = None

    def changes(self) -> PlanChanges:
        return PlanChanges(
            children=(
                tuple(Child(c.reference, c.date_of_birth) for c in self.children)
                if self.children is not None
                else None
            ),
            referral_date=self.referral_date,
            expected_delivery_date=self.expected_delivery_date,
            branches=frozenset(self.branches) if self.branches is not None else None,
            answers={k: Answer(a.text, a.status) for k, a in self.answers.items()},
            decisions={k: Decision(d.decided, d.reason) for k, d in self.decisions.items()},
            actions=(
                tuple(Action(a.what, a.who, a.due, done=a.done) for a in self.actions)
                if self.actions is not None
                else None
            ),
            review_points=(
                tuple(ReviewPoint(r.label, r.due) for r in self.review_points)
                if self.review_points is not None
                else None
            ),
            checklist=self.checklist,
            finished=self.finished,
        )


class PlanCreate(PlanFields):
    authority: str = Field(description="An id from GET /api/authorities.")


class PlanUpdate(PlanFields):
    version: int = Field(
        ge=1,
        le=MAX_COUNT,
        description="The version this change was made to; 409 if the plan has moved on.",
    )


class PlanOut(BaseModel):
    plan: dict[str, Any] = Field(description="The stored plan: its inputs and answers.")
    view: dict[str, Any] = Field(
        description="Worked out now from the inputs: dates, actions with dates, questions under "
        "the procedure's headings with their sources, the manager's checklist, what is open."
    )
    moved: list[str] = Field(default_factory=list, description="Dates this change moved.")


class PlanSummaryOut(BaseModel):
    id: str
    authority: str
    version: int
    children: list[str]
    finished: bool
    updated_at: str


class PlanListOut(BaseModel):
    plans: list[PlanSummaryOut]


class PlanVersionOut(BaseModel):
    version: int
    saved_at: str
    saved_by: str


class PlanHistoryOut(BaseModel):
    id: str
    versions: list[PlanVersionOut]
