"""Timescales for any authority: rules from authorities.yml, one calendar per authority."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from assistant.core.authorities import AuthorityDirectory, load_authorities
from assistant.core.timescales.attribution import (
    ExtensionAdvice,
    OtherAuthorityRule,
    OtherRules,
    extension_approver_rule,
    pre_birth_rule,
)
from assistant.core.timescales.compute import TimescaleInputs, TimescaleResult, compute_timescales
from assistant.core.timescales.rules import TimescaleRules, load_timescale_rules
from assistant.core.timescales.working_days import WorkingCalendar, calendar_with_closures


class TimescaleService:
    def __init__(self, authorities: AuthorityDirectory, rules: dict[str, TimescaleRules]) -> None:
        missing = set(authorities.ids) - set(rules)
        if missing:
            raise ValueError(f"authorities.yml has no timescales for {sorted(missing)}")
        self.authorities = authorities
        self.rules = rules
        self._calendars = {a: calendar_with_closures(r.closure_days) for a, r in rules.items()}
        self._others = {a: self._other_rules(a) for a in rules}

    def _short_name(self, authority: str) -> str:
        return self.authorities.get(authority).short_name

    def _other_rules(self, authority: str) -> OtherRules:
        """What other authorities' chapters state that this one's does not.

        The 4-week pre-birth rule is national good practice (a High Court judgment): where an
        authority's own chapter does not state it, the date is still worked out, but from the
        first chapter that does, and always labelled as that authority's rule. Likewise, where
        a chapter names nobody to agree an extension, the workers see who others name.
        """
        own = self.rules[authority]
        others = [r for a, r in self.rules.items() if a != authority and a in self.authorities.ids]
        pre_birth = None
        if not own.pre_birth_section:
            pre_birth = next(
                (
                    rule
                    for r in others
                    if (rule := pre_birth_rule(r, self._short_name(r.authority))) is not None
                ),
                None,
            )
        approvers: tuple[OtherAuthorityRule, ...] = ()
        if own.extension.approver is None:
            approvers = tuple(
                rule
                for r in others
                if (rule := extension_approver_rule(r, self._short_name(r.authority))) is not None
            )
        return OtherRules(pre_birth, approvers)

    def other_rules(self, authority: str) -> OtherRules:
        self.authorities.get(authority)
        return self._others[authority]

    def extension_advice(self, authority: str) -> ExtensionAdvice:
        """What to tell a worker about going past the time limit (see attribution.py)."""
        others = self.other_rules(authority).extension_approvers
        return ExtensionAdvice(self.rules[authority].extension, others)

    def calendar(self, authority: str) -> WorkingCalendar:
        self.authorities.get(authority)
        return self._calendars[authority]

    def compute(self, authority: str, inputs: TimescaleInputs, today: date) -> TimescaleResult:
        self.authorities.get(authority)  # UnknownAuthorityError lists the valid ids
        return compute_timescales(
            inputs,
            self.rules[authority],
            self._calendars[authority],
            today,
            self._others[authority],
        )


def load_timescale_service(knowledge_dir: Path) -> TimescaleService:
    return TimescaleService(load_authorities(knowledge_dir), load_timescale_rules(knowledge_dir))
