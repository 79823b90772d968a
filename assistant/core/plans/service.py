"""Plans for the API and the conversation alike: create, change, walk through, show; and who
may do which, so that every door (the API, the web chat, Teams) applies the same rules.

The rules are the API's: a plan is read and changed by anyone of its authority (a colleague
carries on a plan by its reference, from any channel); a manager lists every plan of their
authority, anyone else the plans they saved a version of. A caller with no authority of their
own reaches only plans they worked on, except the development user and an operator's service
token for every authority (Principal.sees_every_authority). Someone else's plan is answered as
one that does not exist (PlanNotFoundError), so that a reference guessed or shared by mistake
does not even confirm that it is in use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from assistant.core.access import Principal
from assistant.core.guidance.branch_answer import BranchGuide
from assistant.core.plans.dates import plan_timescales, what_moved
from assistant.core.plans.editing import with_branches
from assistant.core.plans.masking import mask_plan, refuse_identifying_details
from assistant.core.plans.model import Plan, PlanValidationError, new_plan_id
from assistant.core.plans.presenting import PlanView, build_view, plan_card
from assistant.core.plans.repository import (
    PlanNotFoundError,
    PlanRepository,
    PlanSummary,
    PlanVersionInfo,
)
from assistant.core.plans.template import (
    AuthorityPlan,
    PlanTemplate,
    SentenceFinder,
    load_plan_template,
    plan_for_authority,
)
from assistant.core.plans.walkthrough import PlanContext, Turn, reopen, respond
from assistant.core.privacy.redaction import redact, removal_notice
from assistant.core.replies import Reply
from assistant.core.timescales.service import TimescaleService


@dataclass(frozen=True)
class Saved:
    plan: Plan
    moved: tuple[str, ...] = ()


@dataclass
class PlanService:
    repository: PlanRepository
    template: PlanTemplate
    finder: SentenceFinder
    timescales: TimescaleService
    branch_topics: Mapping[str, tuple[str, ...]]
    branch_titles: Mapping[str, str]
    topic_weights: Callable[[str], Mapping[str, float]]
    _sources: dict[str, AuthorityPlan] = field(default_factory=dict)

    def sources(self, authority: str) -> AuthorityPlan:
        """The plan items the authority's procedure supports (found once, then kept)."""
        self.timescales.authorities.get(authority)  # UnknownAuthorityError lists the valid ids
        if authority not in self._sources:
            self._sources[authority] = plan_for_authority(
                self.template, self.finder, authority, self.branch_topics
            )
        return self._sources[authority]

    def context(self, authority: str, today: date) -> PlanContext:
        return PlanContext(
            self.sources(authority),
            self.timescales,
            self.branch_titles,
            self.topic_weights,
            today,
        )

    def new(
        self, principal: Principal, authority: str, branches: frozenset[str] = frozenset()
    ) -> Plan:
        """A new, unsaved plan; its branch flags bring their actions. UnknownAuthorityError for
        an authority that is unknown or another one than the principal's."""
        plan = Plan(id=new_plan_id(), authority=self.timescales.authorities.get(authority).id)
        principal.require_work_in(plan.authority)
        return with_branches(plan, branches, self.sources(plan.authority))

    def check(self, plan: Plan, today: date) -> Plan:
        """Refuse inputs the timescales cannot work with (a birth after the referral), and
        identifying details anywhere in the plan's text (IdentifyingDetailsError)."""
        refuse_identifying_details(plan, self.timescales.authorities.name_words)
        unknown = set(plan.answers) - set(self.sources(plan.authority).question_ids)
        if unknown:
            raise PlanValidationError(
                f"Unknown planning questions {sorted(unknown)}; "
                f"{plan.authority}'s are {list(self.sources(plan.authority).question_ids)}."
            )
        plan_timescales(plan, self.timescales, today)
        return plan

    def open(self, principal: Principal, plan_id: str, version: int | None = None) -> Plan:
        """The plan (its latest version, or the one asked for) when the principal may read and
        change it; PlanNotFoundError otherwise, the same as for a plan that does not exist."""
        plan = self.repository.get(plan_id, version)
        if not self._may_open(principal, plan):
            raise PlanNotFoundError(plan_id, version)
        return plan

    def _may_open(self, principal: Principal, plan: Plan) -> bool:
        if principal.may_see(plan.authority):
            return True
        return principal.may_work_in(plan.authority) and any(
            v.saved_by == principal.subject for v in self.repository.history(plan.id)
        )

    def history(self, principal: Principal, plan_id: str) -> list[PlanVersionInfo]:
        self.open(principal, plan_id)
        return self.repository.history(plan_id)

    def listed(self, principal: Principal, authority: str, limit: int = 50) -> list[PlanSummary]:
        """A manager's list is every plan of their authority; anyone else's, the plans they
        saved a version of. UnknownAuthorityError for an authority that is unknown (listing the
        valid ids) or not the principal's."""
        self.sources(authority)
        principal.require_work_in(authority)
        everyone = principal.is_manager and principal.may_see(authority)
        return self.repository.list(authority, limit, None if everyone else principal.subject)

    def _writable(self, principal: Principal, plan: Plan) -> None:
        """The stored plan is one the principal may change, and `plan` is still that plan."""
        stored = self.open(principal, plan.id)
        if plan.authority != stored.authority:
            raise PlanValidationError(
                f"Plan {plan.id} is {stored.authority}'s; its authority cannot be changed."
            )

    def create(self, principal: Principal, plan: Plan, now: datetime, today: date) -> Plan:
        principal.require_work_in(plan.authority)
        return self.repository.add(self.check(plan, today), principal.subject, now)

    def save(
        self, principal: Principal, before: Plan, after: Plan, now: datetime, today: date
    ) -> Saved:
        """Store `after` as the version following `before`, saying which dates moved."""
        if after.id != before.id:
            raise PlanValidationError(f"A change to plan {before.id} cannot name {after.id}.")
        self._writable(principal, after)
        stored = self.repository.save(self.check(after, today), principal.subject, now)
        return Saved(stored, tuple(what_moved(before, stored, self.timescales, today)))

    def walk(self, principal: Principal, plan: Plan, text: str, now: datetime, today: date) -> Turn:
        """Take a reply in the guided conversation and store the plan if it changed.

        The reply is masked before it is read (the chat has masked it already; a reply from
        another door may not be), and so is the rest of the plan before it is stored, so that
        text kept from before masking existed is not carried into a new version."""
        self._writable(principal, plan)
        not_names = self.timescales.authorities.name_words
        said = redact(text, not_names)
        turn = respond(plan, said.text, self.context(plan.authority, today))
        notice = (Reply(removal_notice(said.removed)),) if said.changed else ()
        if turn.plan == plan:
            return replace(turn, replies=(*notice, *turn.replies))
        stored = self.repository.save(mask_plan(turn.plan, not_names).plan, principal.subject, now)
        # The replies' plan cards name the version just stored.
        replies = tuple(
            replace(r, extras={**r.extras, "plan": plan_card(stored)}) if "plan" in r.extras else r
            for r in turn.replies
        )
        return Turn(stored, (*notice, *replies), turn.finished, turn.paused)

    def reopen(self, principal: Principal, plan: Plan, now: datetime, today: date) -> Plan:
        """A finished plan opened again at its first open question, stored as a new version."""
        self._writable(principal, plan)
        return self.repository.save(
            reopen(plan, self.context(plan.authority, today)), principal.subject, now
        )

    def view(self, plan: Plan, today: date) -> PlanView:
        return build_view(plan, self.sources(plan.authority), self.timescales, today)


def build_plan_service(
    knowledge_dir: Path, guide: BranchGuide, repository: PlanRepository
) -> PlanService:
    """Plans over the branch guide's knowledge: its sentence finder, timescales and branches."""
    knowledge = guide.knowledge
    template = load_plan_template(knowledge_dir, set(knowledge.topic_ids), set(guide.branches))
    return PlanService(
        repository=repository,
        template=template,
        finder=guide,
        timescales=guide.timescales,
        branch_topics={b.id: b.topics for b in guide.branches.values()},
        branch_titles={b.id: b.title for b in guide.branches.values()},
        topic_weights=knowledge.question_topics,
    )
