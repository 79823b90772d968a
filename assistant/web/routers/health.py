"""Liveness (/healthz: the process answers) and readiness (/readyz: it can do its job)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from assistant.store.database import database_is_reachable, database_is_writable
from assistant.web.dependencies import DatabaseDep, EngineClientDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(engine: EngineClientDep, database: DatabaseDep) -> JSONResponse:
    engine_status = await engine.status()
    database_ok = await run_in_threadpool(database_is_reachable, database)
    # Readers do not notice another process holding SQLite's write lock; every write would.
    writable = database_ok and await run_in_threadpool(database_is_writable, database)
    ready = engine_status.model_loaded and writable
    body: dict[str, Any] = {
        "status": "ready" if ready else "not ready",
        "engine": {
            "reachable": engine_status.reachable,
            "model_loaded": engine_status.model_loaded,
            "detail": engine_status.detail,
        },
        "database": {"reachable": database_ok, "writable": writable},
    }
    return JSONResponse(status_code=200 if ready else 503, content=body)
