"""Reminders are their owner's (issue 16): the principal who set one is recorded, a listing is
one owner's, and on the day a reminder is said only if its owner may still see what it refers
to; otherwise it is withheld, for good, and logged without personal data."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import Engine

from actions.reminders import ActionMarkReminderDone
from assistant.core.access import Principal
from assistant.core.guidance.branch_answer import BranchGuide
from assistant.core.guidance.branches import load_branches
from assistant.core.plans.service import PlanService, build_plan_service
from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.core.reminders.delivery import DeliveryReport, OwnerCheck, WithholdReason
from assistant.core.reminders.model import Channel, Reminder, ReminderOwner, ReminderStatus
from assistant.core.reminders.planning import reminders_for
from assistant.core.replies import Reply
from assistant.core.timescales.compute import TimescaleInputs
from assistant.core.timescales.service import load_timescale_service
from assistant.store.conversations import SqlConversationDirectory
from assistant.store.database import create_database_engine
from assistant.store.migrate import alembic_config, upgrade_to_latest
from assistant.store.reminders import SqlReminderRepository
from assistant.web.reminder_scheduler import ReminderScheduler
from tests.conftest import KNOWLEDGE_DIR
from tests.plan_fakes import FakePlanRepository
from tests.principals import KATE, KIM, KIM_IN_TEAMS, LENA, LEO
from tests.test_reminders import action_store, run  # noqa: F401 (the fixture is used by name)

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
KENT_MANAGERS = "teams:kent-tenant:ken:c-managers"
LEWISHAM_MANAGERS = "teams:lewisham-tenant:lena:c-managers"
# Kim's conversations, and one of Leo's.
KIM_WEB = "c-kim"
KIM_TEAMS = "teams:kent-tenant:kim:c-1"
LEO_WEB = "c-leo"


class Messenger:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send(self, conversation_id: str, replies: list[Reply]) -> bool:
        self.sent += [(conversation_id, r.text) for r in replies]
        return True


@pytest.fixture(scope="module")
def guide(knowledge_base: KnowledgeBase) -> BranchGuide:
    branches = load_branches(KNOWLEDGE_DIR, set(knowledge_base.topic_ids))
    return BranchGuide(branches, knowledge_base, load_timescale_service(KNOWLEDGE_DIR))


@pytest.fixture
def plans(guide: BranchGuide) -> PlanService:
    return build_plan_service(KNOWLEDGE_DIR, guide, FakePlanRepository())


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'app.db'}")
    upgrade_to_latest(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def store(engine: Engine) -> SqlReminderRepository:
    return SqlReminderRepository(engine)


@pytest.fixture
def check(engine: Engine, plans: PlanService) -> OwnerCheck:
    directory = SqlConversationDirectory(engine)
    directory.claim(KIM_WEB, KIM.subject, KIM.authority, NOW)
    directory.claim(KIM_TEAMS, KIM_IN_TEAMS.subject, KIM_IN_TEAMS.authority, NOW)
    directory.claim(LEO_WEB, LEO.subject, LEO.authority, NOW)
    return OwnerCheck(directory, plans)


def plan_of(plans: PlanService, principal: Principal) -> str:
    plan = plans.new(principal, str(principal.authority))
    return plans.create(principal, plan, NOW, TODAY).id


def reminder(
    owner: Principal | None,
    conversation: str = KIM_WEB,
    authority: str = "kent",
    plan_id: str | None = None,
    missed: bool = False,
    rid: str = "a1b2c3d4e5f6",
) -> Reminder:
    """Due today, or (`missed`) said yesterday and not done, with the managers to be told."""
    return Reminder(
        id=rid,
        conversation_id=conversation,
        channel=Channel.TEAMS if conversation.startswith("teams:") else Channel.WEB,
        authority=authority,
        label="Assessment to conclude",
        due=TODAY - timedelta(days=1) if missed else TODAY,
        referral_date=date(2026, 9, 21),
        copy_manager=True,
        plan_id=plan_id,
        status=ReminderStatus.SENT if missed else ReminderStatus.PENDING,
        owner=ReminderOwner.of(owner) if owner else None,
    )


def deliver(
    store: SqlReminderRepository, check: OwnerCheck
) -> tuple[DeliveryReport, list[tuple[str, str]]]:
    web, teams = Messenger(), Messenger()
    scheduler = ReminderScheduler(
        store,
        {Channel.WEB: web, Channel.TEAMS: teams},
        {"kent": [KENT_MANAGERS], "lewisham": [LEWISHAM_MANAGERS]},
        lambda: TODAY,
        60,
        check,
    )
    report = asyncio.run(scheduler.run_once())
    return report, web.sent + teams.sent


# --- Said to its owner -----------------------------------------------------------------------


@pytest.mark.parametrize("missed", [False, True])
def test_a_reminder_is_said_to_its_owner_about_her_own_plan(
    store: SqlReminderRepository, check: OwnerCheck, plans: PlanService, missed: bool
) -> None:
    store.add_all([reminder(KIM, plan_id=plan_of(plans, KIM), missed=missed)])
    report, sent = deliver(store, check)
    assert report.withheld == []
    assert {to for to, _ in sent} == ({KIM_WEB, KENT_MANAGERS} if missed else {KIM_WEB})


def test_a_colleagues_plan_of_the_same_authority_is_one_she_may_see(
    store: SqlReminderRepository, check: OwnerCheck, plans: PlanService
) -> None:
    store.add_all([reminder(KIM, plan_id=plan_of(plans, KATE))])  # PlanService: same authority
    report, sent = deliver(store, check)
    assert report.sent and [to for to, _ in sent] == [KIM_WEB]


def test_a_teams_reminder_is_said_in_her_teams_conversation(
    store: SqlReminderRepository, check: OwnerCheck
) -> None:
    store.add_all([reminder(KIM_IN_TEAMS, conversation=KIM_TEAMS)])
    report, sent = deliver(store, check)
    assert report.sent and [to for to, _ in sent] == [KIM_TEAMS]


# --- Withheld ----------------------------------------------------------------------------------


def _withheld_cases(plans: PlanService) -> dict[str, tuple[Reminder, WithholdReason]]:
    lewisham_plan = plan_of(plans, LEO)
    return {
        # A Kent worker's reminder going to a Lewisham worker's conversation.
        "to Leo's conversation": (reminder(KIM, LEO_WEB), WithholdReason.CONVERSATION),
        "to Lewisham Teams": (
            reminder(KIM_IN_TEAMS, "teams:lewisham-tenant:leo:c-9"),
            WithholdReason.CONVERSATION,
        ),
        "Kim's, posing as Leo's": (reminder(LEO, KIM_WEB, "lewisham"), WithholdReason.CONVERSATION),
        "for Lewisham's dates": (reminder(KIM, authority="lewisham"), WithholdReason.AUTHORITY),
        "on a Lewisham plan": (reminder(KIM, plan_id=lewisham_plan), WithholdReason.PLAN),
        "on a plan gone": (reminder(KIM, plan_id="0123456789ab"), WithholdReason.PLAN),
        "of a conversation nobody had": (reminder(KIM, "c-unknown"), WithholdReason.CONVERSATION),
        "set before owners": (reminder(None), WithholdReason.NO_OWNER),
    }


CASES = [
    "to Leo's conversation",
    "to Lewisham Teams",
    "Kim's, posing as Leo's",
    "for Lewisham's dates",
    "on a Lewisham plan",
    "on a plan gone",
    "of a conversation nobody had",
    "set before owners",
]


@pytest.mark.parametrize("missed", [False, True])
@pytest.mark.parametrize("case", CASES)
def test_a_reminder_its_owner_may_no_longer_see_is_withheld_for_good(
    store: SqlReminderRepository,
    check: OwnerCheck,
    plans: PlanService,
    case: str,
    missed: bool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    made, reason = _withheld_cases(plans)[case]
    if missed:
        made = reminder(
            None if made.owner is None else made.owner.as_principal(),
            made.conversation_id,
            made.authority,
            made.plan_id,
            missed=True,
        )
    store.add_all([made])
    with caplog.at_level(logging.WARNING, logger="assistant.security"):
        report, sent = deliver(store, check)
    assert sent == []  # not to the conversation, nor to any manager
    assert report.withheld == [(made.id, reason)]
    assert report.sent == report.missed == report.managers_told == []
    assert store.get(made.id).status is ReminderStatus.WITHHELD
    [event] = [r.getMessage() for r in caplog.records if r.name == "assistant.security"]
    assert '"event": "reminder_withheld"' in event and f'"reason": "{reason.value}"' in event
    for personal in (made.conversation_id, made.label, KIM.subject, LEO.subject, "kim", "leo"):
        assert personal not in event
    # Never tried again.
    again, sent_again = deliver(store, check)
    assert sent_again == [] and again.withheld == []


def test_only_the_reminder_its_owner_may_not_see_is_withheld(
    store: SqlReminderRepository, check: OwnerCheck
) -> None:
    store.add_all([reminder(KIM, rid="aaaaaaaaaaa1"), reminder(KIM, LEO_WEB, rid="aaaaaaaaaaa2")])
    report, sent = deliver(store, check)
    assert report.sent == ["aaaaaaaaaaa1"] and [to for to, _ in sent] == [KIM_WEB]
    assert report.withheld == [("aaaaaaaaaaa2", WithholdReason.CONVERSATION)]


# --- Recorded when set, listed per owner -------------------------------------------------------


def test_reminders_record_who_set_them_and_are_listed_per_owner(
    store: SqlReminderRepository,
) -> None:
    result = load_timescale_service(KNOWLEDGE_DIR).compute(
        "kent", TimescaleInputs(referral_date=date(2026, 11, 2)), date(2026, 11, 10)
    )
    kims = reminders_for(result, KIM_WEB, date(2026, 11, 10), owner=ReminderOwner.of(KIM))
    store.add_all(kims)
    store.add_all([reminder(KATE, KIM_WEB, rid="bbbbbbbbbbb1"), reminder(None, rid="bbbbbbbbbbb2")])
    assert {r.owner for r in store.for_owner(KIM.subject, KIM_WEB)} == {ReminderOwner.of(KIM)}
    assert [r.id for r in store.for_owner(KIM.subject, KIM_WEB)] == [r.id for r in kims]
    assert [r.id for r in store.for_owner(KATE.subject, KIM_WEB)] == ["bbbbbbbbbbb1"]
    assert store.for_owner(LENA.subject, KIM_WEB) == []
    assert store.get("bbbbbbbbbbb2").owner is None


@pytest.mark.usefixtures("action_store")
def test_a_worker_marks_done_only_a_reminder_she_set() -> None:
    from actions.adapters_plans import reminder_repository
    from tests.test_reminders import BEA

    other = reminder(None, "web-worker-1", "blackpool", rid="ccccccccccc1")
    store = reminder_repository()
    store.add_all([other])
    messages, _ = run(ActionMarkReminderDone(), f"mark reminder {other.id} done", "x", who=BEA)
    assert "can't find a reminder" in messages[0]["text"]
    assert store.get(other.id).status is ReminderStatus.PENDING


# --- The migration -----------------------------------------------------------------------------


def test_rows_from_before_owners_have_none_and_are_withheld(
    tmp_path: Path, plans: PlanService
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0008_turn_keys")
    engine = create_database_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO reminders (id, conversation_id, channel, authority, label, due,"
                    " referral_date, copy_manager, status) VALUES ('dddddddddd01', :c, 'web',"
                    " 'kent', 'Assessment to conclude', :due, '2026-09-21', 1, 'pending')"
                ),
                {"c": KIM_WEB, "due": TODAY.isoformat()},
            )
        upgrade_to_latest(engine)
        store = SqlReminderRepository(engine)
        assert store.get("dddddddddd01").owner is None
        assert store.for_owner(KIM.subject, KIM_WEB) == []
        directory = SqlConversationDirectory(engine)
        directory.claim(KIM_WEB, KIM.subject, KIM.authority, NOW)  # even in her conversation
        report, sent = deliver(store, OwnerCheck(directory, plans))
        assert sent == [] and report.withheld == [("dddddddddd01", WithholdReason.NO_OWNER)]
    finally:
        engine.dispose()
