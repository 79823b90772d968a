"""Each authority's timescale rules, read from knowledge/authorities.yml.

Every rule carries the sentence(s) of its authority's chapter that state it (`quote`), so that
a rule the chapter does not state cannot creep in: `unsupported_rules` checks each quote is in
its cited section, and that an approver is named only where the chapter names one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Quoted:
    """One statement of a rule: our plain words, and the chapter's own words that support it."""

    text: str
    quote: tuple[str, ...]
    section: str

    @property
    def quote_text(self) -> str:
        """The supporting sentences, one a line (as a citation's `quote` carries them)."""
        return "\n".join(self.quote)


@dataclass(frozen=True)
class Checkpoint:
    label: str
    working_days: int
    section: str
    quote: tuple[str, ...] = ()


@dataclass(frozen=True)
class Extension:
    """What an authority's chapter says about an assessment going past its maximum.

    `approver` is None when the chapter names nobody: the product then says so rather than
    inventing one. `reasons` is None when the chapter does not say what counts as a reason.
    """

    section: str
    how: Quoted
    approver: Quoted | None = None
    reasons: Quoted | None = None

    @property
    def names_approver(self) -> bool:
        return self.approver is not None

    @property
    def statements(self) -> tuple[Quoted, ...]:
        return tuple(s for s in (self.approver, self.how, self.reasons) if s is not None)


@dataclass(frozen=True)
class RuleQuote:
    """A rule, the section it cites, and the words of that section that state it."""

    authority: str
    rule: str
    section: str
    quote: tuple[str, ...]


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
    quote: tuple[str, ...] = ()
    cin_visit_quote: tuple[str, ...] = ()
    review_quote: tuple[str, ...] = ()
    cin_plan_quote: tuple[str, ...] = ()
    pre_birth_quote: tuple[str, ...] = ()

    def section_ids(self) -> list[str]:
        return list(dict.fromkeys(q.section for q in self.rule_quotes()))

    def rule_quotes(self) -> tuple[RuleQuote, ...]:
        """Every rule this authority's data states, each with its supporting words."""

        def rule(name: str, section: str | None, quote: tuple[str, ...]) -> list[RuleQuote]:
            return [RuleQuote(self.authority, name, section, quote)] if section else []

        return tuple(
            [
                *rule("assessment_working_days", self.section, self.quote),
                *(
                    q
                    for c in self.checkpoints
                    for q in rule(f"checkpoint {c.working_days}", c.section, c.quote)
                ),
                *rule("extension.how", self.extension.how.section, self.extension.how.quote),
                *(
                    q
                    for name, s in (
                        ("extension.approver", self.extension.approver),
                        ("extension.reasons", self.extension.reasons),
                    )
                    if s is not None
                    for q in rule(name, s.section, s.quote)
                ),
                *rule(
                    "cin_visit_record_working_days", self.cin_visit_section, self.cin_visit_quote
                ),
                *rule("review_every_months", self.review_section, self.review_quote),
                *rule("cin_plan_update_months", self.cin_plan_section, self.cin_plan_quote),
                *rule("pre_birth", self.pre_birth_section, self.pre_birth_quote),
            ]
        )


def fold(text: str) -> str:
    """Whitespace-normalised, so that a quote wrapped in YAML matches the chapter's text."""
    return " ".join(text.split())


_NOT_NAMES = frozenset({"a", "an", "the", "your", "their", "of", "or", "and", "any"})


def approver_words(approver: str) -> list[str]:
    """The words that name an approver ("a Service Manager" -> service, manager)."""
    return [w for w in re.findall(r"[a-z]+", approver.lower()) if w not in _NOT_NAMES]


def unsupported_rules(
    rules: dict[str, TimescaleRules], section_text: Callable[[str], str | None]
) -> list[str]:
    """Why any rule is not supported by its chapter (empty when every one is).

    `section_text` gives a section's text as the knowledge base loads it (None: no such
    section). A rule is supported when each of its quoted sentences is in the section it cites,
    that section is its own authority's, and a named approver's words are in its quote.
    """
    problems: list[str] = []
    for authority, authority_rules in rules.items():
        for rule in authority_rules.rule_quotes():
            where = f"{authority} {rule.rule} ({rule.section})"
            if not rule.section.startswith(f"{authority}/"):
                problems.append(f"{where}: cites another authority's section")
            text = section_text(rule.section)
            if text is None:
                problems.append(f"{where}: no such section")
                continue
            if not rule.quote or not any(fold(q) for q in rule.quote):
                problems.append(f"{where}: no supporting quote")
            for sentence in rule.quote:
                if fold(sentence) not in fold(text):
                    problems.append(f"{where}: {sentence!r} is not in the section")
        approver = authority_rules.extension.approver
        if approver is not None:
            quoted = fold(approver.quote_text).lower()
            words = approver_words(approver.text)
            missing = [w for w in words if not re.search(rf"\b{re.escape(w)}\b", quoted)]
            if not words or missing:
                problems.append(
                    f"{authority} extension.approver: {approver.text!r} is not named in its quote"
                )
    return problems


def _quote(raw: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key)
    if value is None:
        raise ValueError(f"authorities.yml: {where} has no {key!r} (the chapter's own words)")
    sentences = [value] if isinstance(value, str) else list(value)
    return tuple(fold(str(s)) for s in sentences)


def _quoted(raw: dict[str, Any] | None, text_key: str, section: str, where: str) -> Quoted | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or text_key not in raw:
        raise ValueError(f"authorities.yml: {where} needs {text_key!r} and 'quote'")
    return Quoted(
        fold(str(raw[text_key])),
        _quote(raw, "quote", where),
        str(raw.get("section") or section),
    )


def _extension(authority: str, raw: dict[str, Any]) -> Extension:
    where = f"{authority} extension"
    section = str(raw["section"])
    how = _quoted(raw.get("how"), "text", section, f"{where}.how")
    if how is None:
        raise ValueError(f"authorities.yml: {where} has no 'how'")
    return Extension(
        section=section,
        how=how,
        approver=_quoted(raw.get("approver"), "text", section, f"{where}.approver"),
        reasons=_quoted(raw.get("reasons"), "text", section, f"{where}.reasons"),
    )


def _optional_quote(raw: dict[str, Any], prefix: str, authority: str) -> tuple[str, ...]:
    if not raw.get(f"{prefix}_section"):
        return ()
    return _quote(raw, f"{prefix}_quote", f"{authority} {prefix}")


def _rules(authority: str, raw: dict[str, Any]) -> TimescaleRules:
    return TimescaleRules(
        authority=authority,
        assessment_working_days=int(raw["assessment_working_days"]),
        section=str(raw["section"]),
        quote=_quote(raw, "quote", f"{authority} assessment_working_days"),
        checkpoints=tuple(
            Checkpoint(
                str(c["label"]),
                int(c["working_days"]),
                str(c["section"]),
                _quote(c, "quote", f"{authority} checkpoint {c['working_days']}"),
            )
            for c in raw.get("checkpoints") or ()
        ),
        extension=_extension(authority, raw["extension"]),
        cin_visit_record_working_days=raw.get("cin_visit_record_working_days"),
        cin_visit_section=raw.get("cin_visit_section"),
        cin_visit_quote=_optional_quote(raw, "cin_visit", authority),
        review_every_months=raw.get("review_every_months"),
        review_section=raw.get("review_section"),
        review_quote=_optional_quote(raw, "review", authority),
        cin_plan_update_months=raw.get("cin_plan_update_months"),
        cin_plan_section=raw.get("cin_plan_section"),
        cin_plan_quote=_optional_quote(raw, "cin_plan", authority),
        pre_birth_section=raw.get("pre_birth_section"),
        pre_birth_quote=_optional_quote(raw, "pre_birth", authority),
        closure_days=tuple(date.fromisoformat(str(d)) for d in raw.get("closure_days") or ()),
    )


def load_timescale_rules(knowledge_dir: Path) -> dict[str, TimescaleRules]:
    raw = yaml.safe_load((knowledge_dir / "authorities.yml").read_text(encoding="utf-8"))
    return {
        authority: _rules(authority, entry["timescales"])
        for authority, entry in raw["authorities"].items()
    }
