"""GET /api/audit: the answers given and the procedure sections they cited, for a manager's
supervision record or an inspection, as JSON or CSV."""

from __future__ import annotations

import json
from typing import Annotated, Literal, cast

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from assistant.core.answer_audit import AuditLog, audit_csv, audit_window
from assistant.web.auth import PrincipalDep
from assistant.web.dependencies import AuthoritiesDep, SearchRateDep
from assistant.web.schemas import ErrorOut, IsoDate

router = APIRouter(prefix="/api", tags=["audit"])

MAX_ENTRIES = 50_000


@router.get(
    "/audit",
    responses={
        200: {
            "content": {"application/json": {}, "text/csv": {}},
            "description": "One entry per answer (JSON), or one row per cited section (CSV).",
        },
        403: {"model": ErrorOut},
        404: {"model": ErrorOut},
        422: {"model": ErrorOut},
    },
)
async def export_audit(
    request: Request,
    principal: PrincipalDep,
    authorities: AuthoritiesDep,
    rate: SearchRateDep,
    authority: Annotated[str | None, Query(description="Yours unless you serve several.")] = None,
    since: Annotated[IsoDate | None, Query(description="From this day (UTC), inclusive.")] = None,
    until: Annotated[IsoDate | None, Query(description="To this day (UTC), inclusive.")] = None,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> Response:
    rate.spend()
    principal.require_manager("export the audit log")
    chosen = authority if authority is not None else principal.authority
    if chosen is not None:
        chosen = authorities.get(chosen).id
        principal.require_authority(chosen)
    start, end = audit_window(since, until)
    log = cast(AuditLog, request.app.state.audit_log)
    entries = await run_in_threadpool(log.entries, chosen, start, end, MAX_ENTRIES)
    stamp = f"{chosen or 'all'}-{since or 'start'}-to-{until or 'now'}"
    if format == "csv":
        return Response(
            audit_csv(entries),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="audit-{stamp}.csv"'},
        )
    body = {
        "authority": chosen,
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
        "answers": [e.to_json() for e in entries],
    }
    return Response(
        json.dumps(body, ensure_ascii=False).encode(),
        media_type="application/json",
        headers={"Content-Disposition": f'inline; filename="audit-{stamp}.json"'},
    )
