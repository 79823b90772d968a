"""Whose rule is it? Only what the worker's own chapter states goes under their authority's
name; another authority's rule is shown only labelled as that authority's.

Workers act on what they are told. An approver the chapter does not name, or a pre-birth
timescale taken from a neighbour's procedure presented as their own, is a wrong instruction
with a citation that seems to back it. So every sentence about a local rule here says whose
procedure states it.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.core.authorities import possessive
from assistant.core.timescales.rules import Extension, TimescaleRules

NO_APPROVER = (
    "Your procedure doesn't say who agrees an extension; "
    "agree it with your manager and record the reasons."
)
# The `approver` field of the API, which has always been a string: what to do when the
# chapter names nobody (`stated_by_procedure` says which it is).
UNNAMED_APPROVER = "your manager (your procedure doesn't say who agrees an extension)"
NO_PRE_BIRTH = "yours doesn't state a pre-birth timescale"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


@dataclass(frozen=True)
class OtherAuthorityRule:
    """A rule stated by another authority's chapter, for a worker whose own does not state it."""

    authority: str
    short_name: str
    text: str  # plain words, to follow "Gateshead's procedure says "
    section: str
    quote: tuple[str, ...]

    @property
    def says(self) -> str:
        return f"{possessive(self.short_name)} procedure says {self.text}"


@dataclass(frozen=True)
class OtherRules:
    """Other authorities' rules for what one authority's chapter does not state."""

    pre_birth: OtherAuthorityRule | None = None
    extension_approvers: tuple[OtherAuthorityRule, ...] = ()


def pre_birth_rule(rules: TimescaleRules, short_name: str) -> OtherAuthorityRule | None:
    """`rules`' pre-birth rule as another authority's, when its chapter states one."""
    if not rules.pre_birth_section:
        return None
    return OtherAuthorityRule(
        rules.authority,
        short_name,
        "to complete the assessment at least 4 weeks before the expected delivery date",
        rules.pre_birth_section,
        rules.pre_birth_quote,
    )


def extension_approver_rule(rules: TimescaleRules, short_name: str) -> OtherAuthorityRule | None:
    """Who `rules`' chapter says agrees an extension, as another authority's rule."""
    approver = rules.extension.approver
    if approver is None:
        return None
    return OtherAuthorityRule(
        rules.authority,
        short_name,
        f"{approver.text} agrees an extension",
        approver.section,
        approver.quote,
    )


def borrowed_pre_birth_note(rule: OtherAuthorityRule) -> str:
    """ "Gateshead's procedure states this rule; yours doesn't state a pre-birth timescale." """
    return f"{possessive(rule.short_name)} procedure states this rule; {NO_PRE_BIRTH}."


@dataclass(frozen=True)
class ExtensionAdvice:
    """What the worker is told about going past the time limit, from their own chapter, and
    (only where it names nobody) who other authorities' chapters name, labelled as theirs."""

    extension: Extension
    others: tuple[OtherAuthorityRule, ...] = ()

    @property
    def stated_by_procedure(self) -> bool:
        return self.extension.approver is not None

    @property
    def shown_others(self) -> tuple[OtherAuthorityRule, ...]:
        """Other chapters' approvers, shown only where the worker's own names nobody."""
        return () if self.stated_by_procedure else self.others

    @property
    def own_sections(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.section for s in self.extension.statements))

    @property
    def approver(self) -> str:
        approver = self.extension.approver
        return approver.text if approver is not None else UNNAMED_APPROVER

    @property
    def summary(self) -> str:
        """One sentence: who agrees, as the chapter says, or that it doesn't say."""
        approver = self.extension.approver
        if approver is None:
            return NO_APPROVER
        return f"Your procedure says {approver.text} agrees an extension."

    def sentences(self) -> list[str]:
        """Everything the worker's chapter says about it, then other chapters, labelled."""
        extension = self.extension
        lines = [self.summary]
        how = extension.how.text
        lines.append(
            how if self.stated_by_procedure else f"Your procedure says: {_lower_first(how)}"
        )
        if extension.reasons is not None:
            lines.append(f"Reasons: {_lower_first(extension.reasons.text)}")
        if self.shown_others:
            lines.append(
                "Other authorities' procedures, not yours: "
                + "; ".join(o.says for o in self.shown_others)
                + "."
            )
        return lines

    @property
    def text(self) -> str:
        return " ".join(self.sentences())

    def quotes(self) -> dict[str, list[str]]:
        """Section id -> the sentences relied on, the worker's own sections first."""
        quoted: dict[str, list[str]] = {}
        for statement in self.extension.statements:
            quoted.setdefault(statement.section, []).extend(statement.quote)
        for other in self.shown_others:
            quoted.setdefault(other.section, []).extend(other.quote)
        return {s: list(dict.fromkeys(q)) for s, q in quoted.items()}
