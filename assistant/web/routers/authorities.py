"""GET /api/authorities: the authorities whose procedures the assistant follows."""

from __future__ import annotations

from fastapi import APIRouter

from assistant.web.dependencies import AuthoritiesDep
from assistant.web.schemas import AuthorityOut

router = APIRouter(prefix="/api", tags=["authorities"])


@router.get("/authorities", response_model=list[AuthorityOut])
async def list_authorities(authorities: AuthoritiesDep) -> list[AuthorityOut]:
    return [AuthorityOut.model_validate(a.to_json()) for a in authorities]
