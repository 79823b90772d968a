"""Timescales for any authority: rules from authorities.yml, one calendar per authority."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from assistant.core.authorities import AuthorityDirectory, load_authorities
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
        # The 4-week pre-birth rule is national good practice: where an authority's own
        # procedure does not state it, cite the first procedure that does.
        self.national_pre_birth_section = next(
            (r.pre_birth_section for r in rules.values() if r.pre_birth_section), None
        )

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
            fallback_pre_birth_section=self.national_pre_birth_section,
        )


def load_timescale_service(knowledge_dir: Path) -> TimescaleService:
    return TimescaleService(load_authorities(knowledge_dir), load_timescale_rules(knowledge_dir))
