"""Each authority's timescale rules, read from knowledge/authorities.yml."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Checkpoint:
    label: str
    working_days: int
    section: str


@dataclass(frozen=True)
class Extension:
    approver: str
    how: str
    section: str


@dataclass(frozen=True)
class TimescaleRules:
    authority: str
    assessment_working_days: int
    section: str
    checkpoints: tuple[Checkpoint, ...]
    extension: Extension
    cin_visit_record_working_days: int | None = None
    cin_visit_section: str | None = None
    review_every_months: int | None = None
    review_section: str | None = None
    cin_plan_update_months: int | None = None
    cin_plan_section: str | None = None
    pre_birth_section: str | None = None
    closure_days: tuple[date, ...] = ()

    def section_ids(self) -> list[str]:
        ids = [self.section, self.extension.section, *(c.section for c in self.checkpoints)]
        optional = (
            self.cin_visit_section,
            self.review_section,
            self.cin_plan_section,
            self.pre_birth_section,
        )
        return ids + [s for s in optional if s]


def _rules(authority: str, raw: dict[str, Any]) -> TimescaleRules:
    extension = raw["extension"]
    return TimescaleRules(
        authority=authority,
        assessment_working_days=int(raw["assessment_working_days"]),
        section=str(raw["section"]),
        checkpoints=tuple(
            Checkpoint(str(c["label"]), int(c["working_days"]), str(c["section"]))
            for c in raw.get("checkpoints") or ()
        ),
        extension=Extension(
            str(extension["approver"]),
            " ".join(str(extension["how"]).split()),
            str(extension["section"]),
        ),
        cin_visit_record_working_days=raw.get("cin_visit_record_working_days"),
        cin_visit_section=raw.get("cin_visit_section"),
        review_every_months=raw.get("review_every_months"),
        review_section=raw.get("review_section"),
        cin_plan_update_months=raw.get("cin_plan_update_months"),
        cin_plan_section=raw.get("cin_plan_section"),
        pre_birth_section=raw.get("pre_birth_section"),
        closure_days=tuple(date.fromisoformat(str(d)) for d in raw.get("closure_days") or ()),
    )


def load_timescale_rules(knowledge_dir: Path) -> dict[str, TimescaleRules]:
    raw = yaml.safe_load((knowledge_dir / "authorities.yml").read_text(encoding="utf-8"))
    return {
        authority: _rules(authority, entry["timescales"])
        for authority, entry in raw["authorities"].items()
    }
