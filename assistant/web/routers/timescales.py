"""POST /api/timescales and /api/timescales.ics: every deadline, explained, or as a calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, Response

from assistant.core.procedures.citations import cite
from assistant.core.timescales.compute import DatedItem, TimescaleInputs, TimescaleResult
from assistant.core.timescales.formatting import long_date
from assistant.core.timescales.icalendar_export import timescales_calendar
from assistant.core.timescales.working_days import CONVENTIONS
from assistant.web.dependencies import KnowledgeDep, SearchRateDep, SettingsDep, TimescalesDep
from assistant.web.schemas import (
    NOT_FOUND_OR_INVALID,
    CheckpointOut,
    CitationOut,
    DatedItemOut,
    ExtensionOut,
    TimescalesOut,
    TimescalesRequest,
)

router = APIRouter(prefix="/api", tags=["timescales"])


def _item(item: DatedItem) -> dict[str, Any]:
    return {
        "key": item.key,
        "label": item.label,
        "date": item.when,
        "date_text": long_date(item.when),
        "explanation": item.explanation,
        "working_days": item.working_days,
        "skipped_holidays": [{"date": d, "name": n} for d, n in item.skipped_holidays],
        "days_left": item.days_left,
        "status": item.status,
        "section_id": item.section,
    }


def _compute(body: TimescalesRequest, service: TimescalesDep, today: date) -> TimescaleResult:
    inputs = TimescaleInputs(
        referral_date=body.referral_date,
        expected_delivery_date=body.expected_delivery_date,
        date_of_birth=body.date_of_birth,
        visit_date=body.visit_date,
        cin_plan_start_date=body.cin_plan_start_date,
    )
    return service.compute(body.authority, inputs, today)


@router.post("/timescales", response_model=TimescalesOut, responses=NOT_FOUND_OR_INVALID)
def timescales(
    body: TimescalesRequest, service: TimescalesDep, knowledge: KnowledgeDep, settings: SettingsDep
) -> TimescalesOut:
    result = _compute(body, service, settings.current_date())
    section_ids = dict.fromkeys(
        [i.section for i in result.all_dates if i.section] + [result.extension_section]
    )
    return TimescalesOut(
        authority=result.authority,
        referral_date=result.inputs.referral_date,
        today=result.today,
        assessment_due=result.assessment_due.when,
        checkpoints=[CheckpointOut.model_validate(_item(c)) for c in result.checkpoints],
        pre_birth_complete_by=(
            result.pre_birth_complete_by.when if result.pre_birth_complete_by else None
        ),
        eighteenth_birthday=result.eighteenth_birthday,
        warnings=list(result.warnings),
        dates=[DatedItemOut.model_validate(_item(i)) for i in result.all_dates],
        extension=ExtensionOut(
            approver=result.extension_approver,
            how=result.extension_how,
            section_id=result.extension_section,
        ),
        conventions=CONVENTIONS,
        citations=[
            CitationOut.model_validate(cite(knowledge.section(s)).to_json())
            for s in section_ids
            if s in knowledge.sections
        ],
    )


@router.post(
    "/timescales.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}, **NOT_FOUND_OR_INVALID},
)
def timescales_ics(
    body: TimescalesRequest, service: TimescalesDep, settings: SettingsDep, rate: SearchRateDep
) -> Response:
    rate.spend()
    result = _compute(body, service, settings.current_date())
    name = service.authorities.get(body.authority).name
    payload = timescales_calendar(result, name, datetime.now(UTC))
    filename = f"assessment-timescales-{body.authority}-{body.referral_date.isoformat()}.ics"
    return Response(
        content=payload,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
