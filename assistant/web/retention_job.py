"""Purges conversation text past the retention period, and plans untouched for longer than
theirs, from inside the web app, every hour.

Several app instances may run it at once: each deletes what is older than the cutoff, so a
second run finds nothing left to delete."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine

from assistant.store.retention import PurgeReport, purge

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class RetentionJob:
    database: Engine
    tracker_store_url: str
    retention_days: int
    poll_seconds: float
    clock: Callable[[], datetime] = _now
    plan_retention_days: int | None = None  # None keeps plans

    async def run_once(self) -> PurgeReport:
        now = self.clock()
        cutoff = now - timedelta(days=self.retention_days)
        plan_cutoff = (
            now - timedelta(days=self.plan_retention_days)
            if self.plan_retention_days is not None
            else None
        )
        report = await run_in_threadpool(
            purge, self.database, self.tracker_store_url, cutoff, plan_cutoff
        )
        log.info("retention: %s", report.describe())
        return report

    async def run_forever(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:  # a database blip must not stop retention for good
                log.exception("retention purge failed; trying again next time")
            await asyncio.sleep(self.poll_seconds)
