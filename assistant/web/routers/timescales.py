"""POST /api/timescales and /api/timescales.ics: every deadline, explained, or as a calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, Response

from assistant.core.procedures.citations import cite
from assistant.core.timescales.attribution import ExtensionAdvice
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
    OtherExtensionRuleOut,
    TimescalesOut,
    TimescalesRequest,
)

router = APIRouter(prefix="/api", tags=["timescales"])


def _item(item: DatedItem, authority: str) -> dict[str, Any]:
    return {
        "key": item.key,
        "label": item.display_label,
        "date": item.when,
        "date_text": long_date(item.when),
        "explanation": item.explanation,
        "working_days": item.working_days,
        "skipped_holidays": [{"date": d, "name": n} for d, n in item.skipped_holidays],
        "days_left": item.days_left,
        "status": item.status,
        "section_id": item.section,
        "rule_authority": (
            item.borrowed.authority if item.borrowed else authority if item.section else None
        ),
        "stated_by_procedure": item.borrowed is None,
    }


def _extension(advice: ExtensionAdvice) -> ExtensionOut:
    extension = advice.extension
    approver, reasons = extension.approver, extension.reasons
    return ExtensionOut(
        approver=advice.approver,
        how=extension.how.text,
        section_id=extension.section,
        stated_by_procedure=advice.stated_by_procedure,
        approver_quote=approver.quote_text if approver else None,
        how_quote=extension.how.quote_text,
        reasons=reasons.text if reasons else None,
        reasons_quote=reasons.quote_text if reasons else None,
        text=advice.text,
        others=[
            OtherExtensionRuleOut(
                authority=o.authority, text=o.says, quote="\n".join(o.quote), section_id=o.section
            )
            for o in advice.shown_others
        ],
    )


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
    quotes = result.quotes()
    return TimescalesOut(
        authority=result.authority,
        referral_date=result.inputs.referral_date,
        today=result.today,
        assessment_due=result.assessment_due.when,
        checkpoints=[
            CheckpointOut.model_validate(_item(c, result.authority)) for c in result.checkpoints
        ],
        pre_birth_complete_by=(
            result.pre_birth_complete_by.when if result.pre_birth_complete_by else None
        ),
        eighteenth_birthday=result.eighteenth_birthday,
        warnings=list(result.warnings),
        dates=[DatedItemOut.model_validate(_item(i, result.authority)) for i in result.all_dates],
        extension=_extension(result.extension),
        conventions=CONVENTIONS,
        citations=[
            CitationOut.model_validate(cite(knowledge.section(s), "\n".join(q)).to_json())
            for s, q in quotes.items()
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
