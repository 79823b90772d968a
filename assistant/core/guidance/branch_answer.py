"""Walking a worker through a procedure branch: the steps their own procedure sets for the
facts known so far, the next question worth asking, and why it is asked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from assistant.core.guidance.branches import ANY_TOPIC, Branch, Facts, Question
from assistant.core.guidance.cards import AuthorityAnswer, CardLibrary, fold
from assistant.core.guidance.procedure_answer import answer_from_procedure
from assistant.core.guidance.style import JUDGEMENT_LINE, numbered, source_name, sources_line, step
from assistant.core.procedures.citations import cite, cite_statements, shorten
from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.core.procedures.model import Section
from assistant.core.procedures.statements import Force, Statement, statements
from assistant.core.replies import Button, Reply
from assistant.core.timescales.compute import TimescaleInputs
from assistant.core.timescales.formatting import long_date
from assistant.core.timescales.service import TimescaleService

# A sentence supports a point when it shares this share of the point's (idf-weighted) words.
MIN_SHARE = 0.5
MIN_WEIGHT = 2.0
MAX_STEP_CHARS = 300
# Shorter sentences are headings or fragments ("How will it be analysed?" is 24).
MIN_STATEMENT_CHARS = 20
WHY_BUTTON = Button("Why are you asking?", "/why_asking")
# Branches whose answer is a decision about a child's safety: say who decides.
DECISION_BRANCHES = frozenset({"homeless-16-17", "trafficking-nrm", "extra-familial-harm"})


@dataclass(frozen=True)
class Found:
    statement: Statement
    section: Section


@dataclass
class BranchGuide:
    """The branches with what answering them needs; statement tokens are read once."""

    branches: dict[str, Branch]
    knowledge: KnowledgeBase
    timescales: TimescaleService
    # The guidance cards: a branch with a card of its own id takes its steps from the card
    # (reviewed sentences, each with its quote) and adds the points the card does not say.
    cards: CardLibrary | None = None
    _tokens: dict[str, list[tuple[Statement, frozenset[str]]]] = field(default_factory=dict)

    def question(self, slot: str) -> Question:
        """The question that fills `slot`, whichever branch asks it (slots are unique)."""
        return next(q for b in self.branches.values() for q in b.questions if q.slot == slot)

    def _statements(self, section: Section) -> list[tuple[Statement, frozenset[str]]]:
        if section.id not in self._tokens:
            tokens = self.knowledge.analyzer.tokens
            self._tokens[section.id] = [
                (s, frozenset(tokens(s.text)))
                for passage in section.passages
                for s in statements(passage.text)
                if len(s.text) >= MIN_STATEMENT_CHARS and not s.text.endswith(":")
            ]
        return self._tokens[section.id]

    def find(self, authority: str, topics: tuple[str, ...], query: str) -> Found | None:
        """The authority's sentence, in a section on one of `topics`, that best fits `query`."""
        wanted = {t: self.knowledge.idf(t) for t in self.knowledge.analyzer.tokens(query)}
        needed = max(MIN_WEIGHT, MIN_SHARE * sum(wanted.values()))
        best: tuple[float, Found] | None = None
        for section in self.knowledge.sections_of(authority):
            if ANY_TOPIC not in topics and not set(topics) & set(section.topics):
                continue
            for statement, tokens in self._statements(section):
                weight = sum(w for t, w in wanted.items() if t in tokens)
                if weight >= needed and (best is None or weight > best[0]):
                    best = (weight, Found(statement, section))
        return best[1] if best else None


# How strongly the words must point at another branch to overrule the intent classifier.
MIN_TOPIC_WEIGHT = 1.0


def reconcile_branch(guide: BranchGuide, classified: str, text: str) -> Branch:
    """The branch the worker means: the classifier's, unless their words say otherwise.

    When the message's words name nothing of the classified branch's topic but clearly name
    another branch's ("trafficked" classified as homelessness), the words win.
    """
    weights = guide.knowledge.question_topics(text)
    branch = guide.branches[classified]
    if weights.get(branch.topics[0], 0.0) > 0:
        return branch
    best = max(guide.branches.values(), key=lambda b: weights.get(b.topics[0], 0.0))
    return best if weights.get(best.topics[0], 0.0) >= MIN_TOPIC_WEIGHT else branch


def questions_worth_asking(guide: BranchGuide, branch: Branch, authority: str) -> list[Question]:
    """The branch's questions whose answer changes this authority's steps.

    A yes/no question matters only if the procedure has a step that depends on it; an age,
    date or country always shapes the answer (its dates, its situation line).
    """
    worth = []
    for question in branch.questions:
        if question.kind != "yes_no":
            worth.append(question)
            continue
        dependent = [p for p in branch.points if question.slot in p.when]
        if any(guide.find(authority, p.topics or branch.topics, p.find) for p in dependent):
            worth.append(question)
    return worth


def question_reply(question: Question) -> Reply:
    """A form question with its answer buttons (channels that cannot draw buttons show text)."""
    buttons: tuple[Button, ...] = (WHY_BUTTON,)
    if question.kind == "yes_no":
        buttons = (Button(question.yes, "/affirm"), Button(question.no, "/deny"), WHY_BUTTON)
    return Reply(question.ask, buttons)


def explain_question(
    guide: BranchGuide, branch: Branch, question: Question, authority: str
) -> Reply:
    """The answer to "why are you asking?": the reason and the procedure sentence behind it."""
    found = guide.find(authority, branch.topics, question.why_find) or guide.find(
        authority, guide.knowledge.topic_ids, question.why_find
    )
    lines = [question.why]
    if found is None:
        return Reply(" ".join(lines))
    short_name = guide.knowledge.authorities.get(authority).short_name
    lines.append(f"Your procedure says: “{shorten(found.statement.text, MAX_STEP_CHARS)}”")
    lines.append(sources_line([source_name(found.section, short_name)]))
    return Reply(
        "\n".join(lines),
        (_show_text(found.section),),
        (cite(found.section, found.statement.text),),
    )


def _show_text(section: Section) -> Button:
    return Button(
        f"Show me the text: {shorten(section.title, 40)}",
        f'/show_section{{"section_id": "{section.id}"}}',
    )


def _trim(text: str) -> str:
    text = shorten(text, MAX_STEP_CHARS).rstrip(";,")
    return text if text.endswith((".", "…", "?")) else text + "."


def _subject(facts: Facts, default: str) -> str:
    age = facts.get("young_person_age")
    return f"A {age} year old" if isinstance(age, int) and not isinstance(age, bool) else default


def situation(branch: Branch, facts: Facts) -> str:
    """One line naming the situation as understood, so that a wrong guess is caught at once."""
    country = facts.get("country")
    if branch.id == "homeless-16-17":
        subject = _subject(facts, "A 16 or 17 year old")
        homeless_now = facts.get("homeless_now")
        state = (
            "who is homeless now"
            if homeless_now is True
            else "at risk of becoming homeless"
            if homeless_now is False
            else "who may be homeless"
        )
        pregnant_or_caring = facts.get("pregnant_or_caring") is True
        extra = " and is pregnant or caring for a child" if pregnant_or_caring else ""
        return f"{subject} {state}{extra}"
    if branch.id == "trafficking-nrm":
        origin = f" from {country}" if isinstance(country, str) else ""
        return f"{_subject(facts, 'A child')} who may have been trafficked{origin}"
    if branch.id == "family-abroad":
        relative = facts.get("relative")
        who = f"A {relative}" if isinstance(relative, str) else "A family member"
        where = f"in {country}" if isinstance(country, str) else "abroad"
        return f"{who} {where}"
    if branch.id == "extra-familial-harm":
        return f"{_subject(facts, 'A child')} at risk of harm outside the family"
    if branch.id == "pre-birth":
        due = facts.get("due_date")
        when = f", baby due {long_date(date.fromisoformat(due))}" if isinstance(due, str) else ""
        return f"A pre-birth assessment{when}"
    return branch.title


@dataclass(frozen=True)
class _Counted:
    """What the assistant counted for the branch: one dated step, warnings, their sources."""

    text: str = ""
    # The same date, worded to follow the procedure's own sentence about it.
    attached: str = ""
    force: Force = Force.INFORMATION
    warnings: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    # Another authority's sentences the dated step rests on (its rule, labelled as theirs).
    quotes: tuple[str, ...] = ()


def _fact_date(facts: Facts, slot: str) -> date | None:
    value = facts.get(slot)
    return date.fromisoformat(value) if isinstance(value, str) else None


def _counted(
    guide: BranchGuide, branch: Branch, authority: str, facts: Facts, today: date
) -> _Counted:
    """The deadline that applies (45 working days, or the pre-birth date) and the 18th birthday."""
    if branch.id not in ("homeless-16-17", "pre-birth"):
        return _Counted()
    referral = _fact_date(facts, "referral_date") or today
    due, born = _fact_date(facts, "due_date"), _fact_date(facts, "date_of_birth")
    if branch.id == "pre-birth" and due is None:
        return _Counted()
    result = guide.timescales.compute(authority, TimescaleInputs(referral, due, born), today)
    warnings = list(result.warnings)
    eighteenth = result.eighteenth_birthday
    if eighteenth is not None and not any("18" in w for w in warnings):
        warnings.append(
            f"They turn 18 on {long_date(eighteenth)}, after the assessment's due date: plan "
            "with your manager for what happens then."
        )
    if branch.id == "homeless-16-17" and born is None and facts.get("young_person_age") == 17:
        warnings.append(
            "At 17 they may turn 18 before the assessment ends: give me their date of birth "
            "and I'll check, and talk to your manager about plans for their 18th birthday."
        )
    pre = result.pre_birth_complete_by
    if branch.id == "pre-birth" and pre is not None and pre.borrowed is not None:
        # The worker's own chapter has no pre-birth timescale: never attach another
        # authority's date to one of its sentences or mark it Must/Should as theirs.
        text = (
            f"{pre.borrowed.says}: by {long_date(pre.when)}. Yours doesn't state a pre-birth "
            f"timescale, so agree the date with your manager. How I counted: {pre.how_counted}"
        )
        return _Counted(
            text,
            "",
            Force.INFORMATION,
            tuple(warnings),
            (pre.borrowed.section,),
            pre.borrowed.quote,
        )
    if branch.id == "pre-birth" and pre is not None:
        attached = f"by {long_date(pre.when)}. How I counted: {pre.explanation}"
        text = f"complete the assessment at least 4 weeks before the due date: {attached}"
        return _Counted(text, attached, Force.GUIDANCE, tuple(warnings), (pre.section or "",))
    limit = result.assessment_due
    when = "today" if referral == today else "received"
    text = (
        f"The assessment concludes within {limit.working_days} working days of the "
        f"referral: by {long_date(limit.when)} for a referral {when} "
        f"({long_date(referral)}). How I counted: {limit.explanation}"
    )
    return _Counted(text, "", Force.INFORMATION, tuple(warnings), (limit.section or "",))


# A found sentence sharing this share of its words with a card step says the same thing.
SAME_STEP_SHARE = 0.6


def _card_says(guide: BranchGuide, card: AuthorityAnswer | None, sentence: str) -> bool:
    if card is None:
        return False
    tokens = guide.knowledge.analyzer.tokens
    words = set(tokens(sentence))
    return bool(words) and any(
        len(words & set(tokens(f"{c.say} {c.quote}"))) >= SAME_STEP_SHARE * len(words)
        for c in card.steps
    )


def _branch_card(guide: BranchGuide, branch: Branch, authority: str) -> AuthorityAnswer | None:
    """The authority's answer on the branch's own card, when it has one."""
    if guide.cards is None or branch.id not in guide.cards.ids:
        return None
    answer = guide.cards.get(branch.id).for_authority(authority)
    return answer if answer is not None and not answer.silent else None


def answer_branch(
    guide: BranchGuide,
    branch: Branch,
    authority: str,
    facts: Facts,
    today: date,
    question_text: str = "",
) -> Reply:
    """The branch's steps from the worker's own procedure, for the facts known so far.

    Raises OutsideCalendarError for dates outside the working-day calendar and
    InvalidTimescaleInputError for a date of birth after the referral.
    """
    short_name = guide.knowledge.authorities.get(authority).short_name
    counted = _counted(guide, branch, authority, facts, today)
    card = _branch_card(guide, branch, authority)
    found: list[tuple[Found, bool]] = []
    previous_found = False
    for point in branch.points:
        if not point.applies(facts) or (point.fallback and previous_found):
            previous_found = previous_found and point.fallback
            continue
        hit = guide.find(authority, point.topics or branch.topics, point.find)
        previous_found = hit is not None
        said = [f.statement.text for f, _ in found] + [
            c.quote for c in (card.steps if card else ())
        ]
        if (
            hit is not None
            and all(fold(hit.statement.text) not in fold(q) for q in said)
            and not _card_says(guide, card, hit.statement.text)
        ):
            found.append((hit, point.dated))
    if card is None and not found and not counted.attached and not counted.quotes:
        # The authority's procedure is silent here: say so, with what others say, labelled.
        return answer_from_procedure(
            question_text or branch.title, authority, guide.knowledge, branch.topics[0]
        ).reply
    steps = [step(s.force, s.say) for s in card.steps] if card is not None else []
    for hit, dated in found:
        text = _trim(hit.statement.text)
        if dated and counted.attached:
            text = f"{text.rstrip('.')}: {counted.attached}"
        steps.append(step(hit.statement.force, text))
    if counted.text and not (counted.attached and any(dated for _, dated in found)):
        steps.append(step(counted.force, counted.text))
    lines = [f"{situation(branch, facts)} — {short_name} procedure."]
    if card is not None:
        lines.append(card.answer)
    lines.append(numbered(steps))
    lines += [f"Warning: {w}" for w in counted.warnings]
    if branch.id in DECISION_BRANCHES:
        lines.append(JUDGEMENT_LINE)
    card_sections = [guide.knowledge.sections[s.section] for s in card.steps] if card else []
    sections = list({s.id: s for s in card_sections + [f.section for f, _ in found]}.values())
    sections += [
        guide.knowledge.sections[s]
        for s in counted.sections
        if s in guide.knowledge.sections and s not in {x.id for x in sections}
    ]
    names = [
        source_name(s, guide.knowledge.authorities.get(s.authority).short_name) for s in sections
    ]
    lines.append(sources_line(names))
    buttons = (_show_text(sections[0]),) if sections else ()
    citations = tuple(
        cite_statements(
            s,
            [
                *(c.quote for c in (card.steps if card else ()) if c.section == s.id),
                *(f.statement.text for f, _ in found if f.section.id == s.id),
                *(counted.quotes if s.id in counted.sections else ()),
            ],
        )
        for s in sections
    )
    return Reply("\n".join(lines), buttons, citations)
