"""Who may read, change and list a plan: the core's rules, which the API, the chat actions and
Teams all call (issue 16). Another authority's plan is not found, exactly as an unknown one."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from assistant.core.access import (
    PRINCIPAL_KEY,
    Principal,
    Role,
    development_principal,
    principal_from_metadata,
)
from assistant.core.authorities import UnknownAuthorityError
from assistant.core.guidance.branch_answer import BranchGuide
from assistant.core.guidance.branches import load_branches
from assistant.core.plans.model import Plan
from assistant.core.plans.repository import PlanNotFoundError
from assistant.core.plans.service import PlanService, build_plan_service
from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.core.timescales.service import load_timescale_service
from tests.conftest import KNOWLEDGE_DIR
from tests.plan_fakes import FakePlanRepository
from tests.principals import KATE, KEN, KIM, LENA, LEO, UNMAPPED_TEAMS

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
EVERY_AUTHORITY = Principal("service:evaluation", Role.PRACTITIONER, None, "api_token")
KENT_SERVICE = Principal("service:kent-monitor", Role.MANAGER, "kent", "api_token")


@pytest.fixture(scope="module")
def guide(knowledge_base: KnowledgeBase) -> BranchGuide:
    branches = load_branches(KNOWLEDGE_DIR, set(knowledge_base.topic_ids))
    return BranchGuide(branches, knowledge_base, load_timescale_service(KNOWLEDGE_DIR))


@pytest.fixture
def service(guide: BranchGuide) -> PlanService:
    return build_plan_service(KNOWLEDGE_DIR, guide, FakePlanRepository())


def made_by(service: PlanService, principal: Principal, authority: str | None = None) -> Plan:
    plan = service.new(principal, authority or str(principal.authority))
    return service.create(principal, plan, NOW, TODAY)


def not_found_message(call: Any) -> str:
    with pytest.raises(PlanNotFoundError) as raised:
        call()
    return str(raised.value)


# --- Reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reader", "allowed"),
    [
        (KIM, True),  # hers
        (KATE, True),  # a colleague of the same authority, by its reference (as the API)
        (KEN, True),  # her manager
        (LEO, False),  # another authority
        (LENA, False),  # another authority's manager
        (KENT_SERVICE, True),
        (EVERY_AUTHORITY, True),
        (development_principal(), True),
        (UNMAPPED_TEAMS, False),  # no authority of their own: only their own plans
    ],
)
def test_a_plan_is_opened_only_by_those_its_authority_allows(
    service: PlanService, reader: Principal, allowed: bool
) -> None:
    plan = made_by(service, KIM)
    if allowed:
        assert service.open(reader, plan.id) == plan
        assert service.open(reader, plan.id, 1) == plan
        assert [v.saved_by for v in service.history(reader, plan.id)] == [KIM.subject]
    else:
        for call in (
            lambda: service.open(reader, plan.id),
            lambda: service.open(reader, plan.id, 1),
            lambda: service.history(reader, plan.id),
        ):
            with pytest.raises(PlanNotFoundError):
                call()


def test_someone_else_s_plan_is_not_found_exactly_as_an_unknown_one(service: PlanService) -> None:
    plan = made_by(service, KIM)
    unknown = "0123456789"
    assert not_found_message(lambda: service.open(LEO, plan.id)) == not_found_message(
        lambda: service.open(LEO, unknown)
    ).replace(unknown, plan.id)
    assert not_found_message(lambda: service.open(LEO, plan.id, 1)) == not_found_message(
        lambda: service.open(LEO, unknown, 1)
    ).replace(unknown, plan.id)


# --- Changing --------------------------------------------------------------------------------


def test_another_authority_changes_nothing(service: PlanService) -> None:
    plan = made_by(service, KIM)
    changed = plan.with_changes(referral_date=date(2026, 11, 2))
    attempts = (
        lambda: service.save(LEO, plan, changed, NOW, TODAY),
        lambda: service.walk(LEO, plan, "not sure", NOW, TODAY),
        lambda: service.walk(UNMAPPED_TEAMS, plan, "not sure", NOW, TODAY),
        lambda: service.reopen(LENA, plan.with_changes(finished=True), NOW, TODAY),
    )
    for attempt in attempts:
        with pytest.raises(PlanNotFoundError):
            attempt()
    assert service.repository.get(plan.id).version == 1
    # Her colleague and her manager may (as PATCH /api/plans allows); the version says who.
    assert service.walk(KATE, plan, "AB", NOW, TODAY).plan.version == 2
    latest = service.open(KEN, plan.id)
    assert service.save(KEN, latest, changed.with_changes(version=2), NOW, TODAY).plan.version == 3
    assert [v.saved_by for v in service.history(KIM, plan.id)] == [
        KIM.subject,
        KATE.subject,
        KEN.subject,
    ]


def test_a_plan_s_authority_cannot_be_changed_to_reach_it(service: PlanService) -> None:
    plan = made_by(service, LEO)
    with pytest.raises(PlanNotFoundError):
        service.save(KIM, plan.with_changes(authority="kent"), plan, NOW, TODAY)
    with pytest.raises(PlanNotFoundError):
        service.walk(KIM, plan.with_changes(authority="kent"), "AB", NOW, TODAY)
    assert service.repository.get(plan.id).version == 1


def test_nobody_starts_a_plan_for_another_authority(service: PlanService) -> None:
    with pytest.raises(UnknownAuthorityError) as raised:
        service.new(KIM, "lewisham")
    assert raised.value.valid_ids == ("kent",)
    plan = service.new(LEO, "lewisham")
    with pytest.raises(UnknownAuthorityError):
        service.create(KIM, plan, NOW, TODAY)
    assert service.repository.list("lewisham") == []


# --- Listing ---------------------------------------------------------------------------------


def test_a_practitioner_lists_their_own_plans_a_manager_their_authority_s(
    service: PlanService,
) -> None:
    kims, kates = made_by(service, KIM), made_by(service, KATE)
    leos = made_by(service, LEO)

    def listed(principal: Principal, authority: str) -> set[str]:
        return {s.id for s in service.listed(principal, authority)}

    assert listed(KIM, "kent") == {kims.id}
    assert listed(KATE, "kent") == {kates.id}
    assert listed(KEN, "kent") == {kims.id, kates.id}
    assert listed(KENT_SERVICE, "kent") == {kims.id, kates.id}
    assert listed(development_principal(), "kent") == {kims.id, kates.id}
    assert listed(LENA, "lewisham") == {leos.id}
    # A colleague's plan she saved a version of is hers to carry on too.
    service.walk(KIM, kates, "CD", NOW, TODAY)
    assert listed(KIM, "kent") == {kims.id, kates.id}
    for principal, authority in ((LEO, "kent"), (LENA, "kent"), (KEN, "lewisham")):
        with pytest.raises(UnknownAuthorityError):
            service.listed(principal, authority)


def test_a_teams_user_without_an_authority_reaches_only_their_own_plans(
    service: PlanService,
) -> None:
    kims = made_by(service, KIM)
    theirs = made_by(service, UNMAPPED_TEAMS, "kent")
    assert service.open(UNMAPPED_TEAMS, theirs.id) == theirs
    assert service.walk(UNMAPPED_TEAMS, theirs, "AB", NOW, TODAY).plan.version == 2
    assert {s.id for s in service.listed(UNMAPPED_TEAMS, "kent")} == {theirs.id}
    with pytest.raises(PlanNotFoundError):
        service.open(UNMAPPED_TEAMS, kims.id)
    assert not UNMAPPED_TEAMS.may_see("kent")
    # Kent's manager sees the plan, made for Kent.
    assert service.open(KEN, theirs.id).version == 2


# --- The principal in the engine's message metadata ---------------------------------------


@pytest.mark.parametrize(
    "principal", [KIM, KEN, UNMAPPED_TEAMS, EVERY_AUTHORITY, development_principal()]
)
def test_the_principal_goes_through_message_metadata_unchanged(principal: Principal) -> None:
    metadata = {PRINCIPAL_KEY: principal.to_metadata(), "authority": "kent"}
    assert principal_from_metadata(metadata) == principal


@pytest.mark.parametrize(
    "carried",
    [
        None,
        "kim",
        {},
        {"subject": "", "role": "manager", "authority": "kent", "method": "oidc"},
        {"subject": "kim", "role": "chief", "authority": "kent", "method": "oidc"},
        {"subject": "kim", "role": ["manager"], "authority": "kent", "method": "oidc"},
        {"subject": "kim", "role": "manager", "authority": "", "method": "api_token"},
        {"subject": "kim", "role": "manager", "authority": ["kent"], "method": "oidc"},
        {"subject": "kim", "role": "manager", "authority": "kent"},
    ],
)
def test_a_missing_or_malformed_principal_is_nobody(carried: Any) -> None:
    assert principal_from_metadata({PRINCIPAL_KEY: carried}) is None
    assert principal_from_metadata({}) is None
