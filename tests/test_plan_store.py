"""The SQL plan repository on SQLite and on a real PostgreSQL server: the same contract as the
fake, every version kept, and concurrent edits refused rather than lost."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from threading import Barrier

import pytest
from sqlalchemy import Engine

from assistant.core.plans.model import Answer, Child, Plan, new_plan_id
from assistant.core.plans.repository import (
    PlanNotFoundError,
    PlanRepository,
    PlanVersionConflictError,
)
from assistant.store.database import create_database_engine
from assistant.store.migrate import upgrade_to_latest
from assistant.store.plans import SqlPlanRepository
from tests.plan_fakes import FakePlanRepository

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def database(database_url: str) -> Iterator[Engine]:
    engine = create_database_engine(database_url)
    upgrade_to_latest(engine)
    yield engine
    engine.dispose()


@pytest.fixture(
    params=["fake", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def repository(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PlanRepository]:
    """The fake and the SQL repository on each backend: one contract for all three."""
    if request.param == "fake":
        yield FakePlanRepository()
        return
    url = (
        f"sqlite:///{tmp_path / 'plans.db'}"
        if request.param == "sqlite"
        else str(request.getfixturevalue("postgres_database_url"))
    )
    engine = create_database_engine(url)
    upgrade_to_latest(engine)
    yield SqlPlanRepository(engine)
    engine.dispose()


def a_plan(authority: str = "kent") -> Plan:
    return Plan(
        id=new_plan_id(),
        authority=authority,
        children=(Child("AB", date(2010, 5, 1)),),
        referral_date=date(2026, 11, 2),
        answers={"who_undertakes": Answer("Me")},
    )


def test_a_plan_round_trips_exactly(repository: PlanRepository) -> None:
    plan = a_plan()
    stored = repository.add(plan, "conversation:1", NOW)
    assert stored == plan.with_changes(version=1)
    assert repository.get(plan.id) == stored


def test_versions_are_kept_and_a_stale_save_is_refused(repository: PlanRepository) -> None:
    first = repository.add(a_plan(), "web", NOW)
    second = repository.save(first.with_changes(referral_date=date(2026, 11, 9)), "teams", NOW)
    with pytest.raises(PlanVersionConflictError) as conflict:
        repository.save(first.with_changes(finished=True), "web", NOW)
    assert (conflict.value.expected, conflict.value.current) == (1, 2)
    assert repository.get(first.id) == second
    assert repository.get(first.id, 1) == first
    history = repository.history(first.id)
    assert [(v.version, v.saved_by) for v in history] == [(1, "web"), (2, "teams")]


def test_missing_plans_and_versions_are_not_found(repository: PlanRepository) -> None:
    plan = repository.add(a_plan(), "web", NOW)
    for call in (
        lambda: repository.get("0123456789"),
        lambda: repository.get(plan.id, 7),
        lambda: repository.history("0123456789"),
        lambda: repository.save(a_plan().with_changes(version=1), "web", NOW),
    ):
        with pytest.raises(PlanNotFoundError):
            call()


def test_the_same_id_cannot_be_added_twice(repository: PlanRepository) -> None:
    plan = repository.add(a_plan(), "web", NOW)
    with pytest.raises(PlanVersionConflictError):
        repository.add(plan.with_changes(version=0), "web", NOW)


def test_plans_are_listed_by_authority_latest_first(repository: PlanRepository) -> None:
    older = repository.add(a_plan(), "web", NOW)
    newer = repository.add(a_plan(), "web", NOW + timedelta(minutes=5))
    repository.add(a_plan("lewisham"), "web", NOW)
    summaries = repository.list("kent")
    assert [s.id for s in summaries] == [newer.id, older.id]
    assert summaries[0].children == ("AB",) and summaries[0].version == 1
    assert repository.list("kent", limit=1)[0].id == newer.id


@pytest.mark.parametrize("writers", [8])
def test_concurrent_saves_from_one_version_let_exactly_one_win(
    database: Engine, writers: int
) -> None:
    repository = SqlPlanRepository(database)
    base = repository.add(a_plan(), "web", NOW)
    start = Barrier(writers)

    def save(n: int) -> str:
        start.wait()
        try:
            repository.save(base.with_changes(answers={"recording": Answer(f"w{n}")}), f"w{n}", NOW)
        except PlanVersionConflictError:
            return "conflict"
        return "saved"

    with ThreadPoolExecutor(writers) as pool:
        outcomes = list(pool.map(save, range(writers)))
    assert outcomes.count("saved") == 1
    assert outcomes.count("conflict") == writers - 1
    latest = repository.get(base.id)
    assert latest.version == 2
    winner = latest.answers["recording"].text
    assert [v.saved_by for v in repository.history(base.id)] == ["web", winner]
