"""/api/plans: assessment plans, every change a new version, exported for managers and families."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from fastapi.concurrency import run_in_threadpool

from assistant.core.plans.editing import apply_changes
from assistant.core.plans.exports import plan_calendar, plan_docx, plan_for_family, plan_markdown
from assistant.core.plans.model import Plan, plan_to_json
from assistant.core.plans.presenting import PlanView
from assistant.core.timescales.formatting import long_date
from assistant.web.auth import PrincipalDep
from assistant.web.dependencies import PlansDep, SearchRateDep, SettingsDep
from assistant.web.plan_schemas import (
    PlanCreate,
    PlanHistoryOut,
    PlanListOut,
    PlanOut,
    PlanSummaryOut,
    PlanUpdate,
    PlanVersionOut,
)
from assistant.web.schemas import MAX_COUNT, NOT_FOUND_OR_INVALID, ErrorOut

router = APIRouter(prefix="/api/plans", tags=["plans"])
NOT_FOUND = NOT_FOUND_OR_INVALID
EXPORTS = {
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "assessment-plan-{id}-v{version}.docx",
    ),
    "md": ("text/markdown; charset=utf-8", "assessment-plan-{id}-v{version}.md"),
    "ics": ("text/calendar; charset=utf-8", "assessment-plan-{id}-v{version}.ics"),
    "family": ("text/markdown; charset=utf-8", "assessment-plan-{id}-v{version}-family.md"),
}


def _view_json(view: PlanView) -> dict[str, Any]:
    return {
        "authority_name": view.authority_name,
        "dates": [
            {**asdict(d), "when": d.when.isoformat(), "date_text": long_date(d.when)}
            for d in view.dates
        ],
        "warnings": list(view.warnings),
        "actions": [
            {
                **asdict(a),
                "due": a.due.isoformat() if a.due else None,
                "date_text": long_date(a.due) if a.due else None,
            }
            for a in view.actions
        ],
        "review_points": [
            {**asdict(r), "when": r.when.isoformat(), "date_text": long_date(r.when)}
            for r in view.review_points
        ],
        "questions": [
            {
                "id": q.id,
                "heading": q.heading,
                "answer": q.answer,
                "status": q.status.value if q.status else None,
                "decision": asdict(q.decision) if q.decision else None,
                "quote": q.quote,
                "citation": q.citation.to_json(),
            }
            for q in view.questions
        ],
        "checklist": [
            {"id": c.id, "label": c.label, "ticked": c.ticked, "citation": c.citation.to_json()}
            for c in view.checklist
        ],
        "open_questions": [q.id for q in view.open_questions],
    }


def _out(
    plans: PlansDep, plan: Plan, settings: SettingsDep, moved: tuple[str, ...] = ()
) -> PlanOut:
    view = plans.view(plan, settings.current_date())
    return PlanOut(plan=plan_to_json(plan), view=_view_json(view), moved=list(moved))


@router.post("", status_code=201, response_model=PlanOut, responses=NOT_FOUND)
def create_plan(
    body: PlanCreate, plans: PlansDep, settings: SettingsDep, principal: PrincipalDep
) -> PlanOut:
    today = settings.current_date()
    plan = plans.new(principal, body.authority)
    plan = apply_changes(plan, body.changes(), plans.sources(plan.authority))
    stored = plans.create(principal, plan, datetime.now(UTC), today)
    return _out(plans, stored, settings)


@router.get("", response_model=PlanListOut, responses=NOT_FOUND)
def list_plans(
    plans: PlansDep,
    principal: PrincipalDep,
    authority: Annotated[str, Query(description="An id from GET /api/authorities.")],
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> PlanListOut:
    """A manager sees all their authority's plans; a practitioner the ones they worked on."""
    return PlanListOut(
        plans=[
            PlanSummaryOut(
                id=s.id,
                authority=s.authority,
                version=s.version,
                children=list(s.children),
                finished=s.finished,
                updated_at=s.updated_at.isoformat(),
            )
            for s in plans.listed(principal, authority, limit)
        ]
    )


@router.get("/{plan_id}", response_model=PlanOut, responses=NOT_FOUND)
def read_plan(
    plan_id: str,
    plans: PlansDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    version: Annotated[int | None, Query(ge=1, le=MAX_COUNT)] = None,
) -> PlanOut:
    return _out(plans, plans.open(principal, plan_id, version), settings)


@router.patch(
    "/{plan_id}", response_model=PlanOut, responses={**NOT_FOUND, 409: {"model": ErrorOut}}
)
def update_plan(
    plan_id: str,
    body: PlanUpdate,
    plans: PlansDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> PlanOut:
    """Change a plan made from `version`; the dates that moved are listed in `moved`."""
    before = plans.open(principal, plan_id, body.version)
    after = apply_changes(before, body.changes(), plans.sources(before.authority))
    saved = plans.save(principal, before, after, datetime.now(UTC), settings.current_date())
    return _out(plans, saved.plan, settings, saved.moved)


@router.get("/{plan_id}/versions", response_model=PlanHistoryOut, responses=NOT_FOUND)
def plan_versions(plan_id: str, plans: PlansDep, principal: PrincipalDep) -> PlanHistoryOut:
    return PlanHistoryOut(
        id=plan_id,
        versions=[
            PlanVersionOut(version=v.version, saved_at=v.saved_at.isoformat(), saved_by=v.saved_by)
            for v in plans.history(principal, plan_id)
        ],
    )


@router.get(
    "/{plan_id}/export",
    responses={
        **NOT_FOUND,
        200: {
            "content": {media: {} for media, _ in EXPORTS.values()},
            "description": "The plan as a file.",
        },
    },
)
async def export_plan(
    plan_id: str,
    plans: PlansDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    rate: SearchRateDep,
    format: Annotated[Literal["docx", "md", "ics", "family"], Query()] = "docx",
    version: Annotated[int | None, Query(ge=1, le=MAX_COUNT)] = None,
) -> Response:
    """docx for the record and the manager, md, ics for the dates, family in plain words."""
    rate.spend()
    plan = await run_in_threadpool(plans.open, principal, plan_id, version)
    view = plans.view(plan, settings.current_date())
    if format == "docx":
        content: bytes = await run_in_threadpool(plan_docx, view, datetime.now(UTC))
    elif format == "md":
        content = plan_markdown(view).encode()
    elif format == "ics":
        content = plan_calendar(view, datetime.now(UTC))
    else:
        content = plan_for_family(view).encode()
    media_type, filename = EXPORTS[format]
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": (
                f'attachment; filename="{filename.format(id=plan.id, version=plan.version)}"'
            )
        },
    )
