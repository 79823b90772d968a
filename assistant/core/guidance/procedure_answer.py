"""Answering from the procedure text: the worker's authority first, cited, must or should.

When the worker's authority is silent on the question's topic, say so and give what other
authorities' procedures say, clearly labelled as not theirs.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.core.authorities import possessive
from assistant.core.guidance.style import (
    JUDGEMENT_LINE,
    numbered,
    source_name,
    sources_line,
    step,
)
from assistant.core.procedures.citations import cite_statements, shorten
from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.core.procedures.model import Section
from assistant.core.procedures.retrieval import SearchHit
from assistant.core.procedures.statements import Force, Statement, statements
from assistant.core.replies import Button, Citation, Reply

MAX_STEPS = 4
MIN_ACTIONABLE = 2
TOPIC_DEPTH_WEIGHT = 0.15
# How much a section's own match with the question counts for its statements.
SECTION_MATCH_WEIGHT = 1.0
FORCE_WEIGHT = 0.5
MIN_RELEVANCE = 2.0
# Sections found by topic rather than words: how many, and how much their match counts.
TOPIC_SECTIONS_ADDED = 3
TOPIC_SECTION_SCORE = 0.3
PASSAGES_TO_READ = 10
MAX_STEP_CHARS = 300
# Topics where the answer is a decision about a child's safety: say who decides.
DECISION_TOPICS = frozenset(
    {
        "s47-enquiries",
        "accommodation-s20",
        "homeless-16-17",
        "trafficking-nrm",
        "police-notification",
        "extra-familial-harm",
        "outcomes-and-decisions",
    }
)
_FORCE_ORDER = {Force.REQUIREMENT: 0, Force.GUIDANCE: 1, Force.INFORMATION: 2}


@dataclass(frozen=True)
class ProcedureAnswer:
    reply: Reply
    topic: str | None
    authority_silent: bool


def _trim(text: str) -> str:
    text = shorten(text, MAX_STEP_CHARS).rstrip(";,")
    return text if text.endswith((".", "…", "?")) else text + "."


@dataclass(frozen=True)
class _Candidate:
    score: float
    order: int
    statement: Statement
    section: Section


def _best_statements(
    question: str, hits: list[SearchHit], knowledge: KnowledgeBase, topic: str | None = None
) -> list[tuple[Statement, Section]]:
    """The statements that say most about the question, each with the section it is from.

    A statement scores for the question's words it shares (after expanding the worker's
    words), for what the topic covers (topics.yml), for being a requirement or guidance, and
    for how well its section matched. The chosen ones keep the procedure's own order.
    """
    wanted = set(knowledge.analyzer.tokens(knowledge.expander.expand(question)))
    covers = (
        set(knowledge.analyzer.tokens(knowledge.tagger.topics[topic].covers)) if topic else set()
    )
    seen: set[str] = set()
    candidates: list[_Candidate] = []
    order = 0
    # Read about as many passages whatever the chapter's shape: a numbered chapter's section
    # holds several, a paragraph-per-section chapter's only one.
    passages_read = 0
    for hit in hits:
        if passages_read >= PASSAGES_TO_READ:
            break
        passages_read += len(hit.section.passages)
        for passage in hit.section.passages:
            for statement in statements(passage.text):
                order += 1
                key = statement.text.lower().replace("\u2019", "'")[:80]
                if (
                    key in seen
                    or len(statement.text) < 25
                    or statement.text.endswith(":")
                    or statement.text.startswith(("(", "See "))
                ):
                    continue
                seen.add(key)
                tokens = set(knowledge.analyzer.tokens(statement.text))
                overlap = sum(knowledge.idf(t) for t in wanted & tokens) + 0.5 * sum(
                    knowledge.idf(t) for t in covers & tokens
                )
                if overlap < MIN_RELEVANCE:  # at least one telling word in common
                    continue
                force = (2 - _FORCE_ORDER[statement.force]) * FORCE_WEIGHT
                score = overlap + force + SECTION_MATCH_WEIGHT * hit.score
                candidates.append(_Candidate(score, order, statement, hit.section))
    # Steps are what the procedure asks (must or should); plain statements only fill in
    # when it asks little about this.
    actionable = [c for c in candidates if c.statement.force is not Force.INFORMATION]
    pool = actionable if len(actionable) >= MIN_ACTIONABLE else candidates
    best = sorted(pool, key=lambda c: -c.score)[:MAX_STEPS]
    return [(c.statement, c.section) for c in sorted(best, key=lambda c: c.order)]


def _topic_sections(
    knowledge: KnowledgeBase, authority: str, topic: str, exclude: set[str]
) -> list[SearchHit]:
    """The authority's sections on the topic that say most of what the topic covers.

    They may share no word with the question ("Refer the child's circumstances to
    relevant Multi-Agency work" for a question about a gang), yet be what it asks for.
    """
    covers = set(knowledge.analyzer.tokens(knowledge.tagger.topics[topic].covers))
    ranked = sorted(
        (s for s in knowledge.sections_of(authority) if topic in s.topics and s.id not in exclude),
        key=lambda s: -len(covers & set(knowledge.analyzer.tokens(s.text))),
    )
    return [SearchHit(s, TOPIC_SECTION_SCORE, "") for s in ranked[:TOPIC_SECTIONS_ADDED]]


def _sources(found: list[tuple[Statement, Section]]) -> list[Section]:
    """The sections the chosen statements come from, each once: what the answer cites."""
    return list({section.id: section for _, section in found}.values())


def _citations(
    sections: list[Section], found: list[tuple[Statement, Section]]
) -> tuple[Citation, ...]:
    """Each source cited with the statements of it that became steps (their full wording)."""
    return tuple(
        cite_statements(s, (st.text for st, of in found if of.id == s.id)) for s in sections
    )


def _topic_depth(knowledge: KnowledgeBase, hit: SearchHit, topic: str) -> int:
    """How many of a section's passages are about the topic (capped)."""
    rule = next(r for r in knowledge.tagger.rules if r.topic == topic)
    return min(4, sum(1 for p in hit.section.passages if rule.matches("", [p.text])))


def _main_topic(knowledge: KnowledgeBase, question: str) -> str | None:
    """The topic the worker's own words point at most; expansions only break ties."""
    expanded = knowledge.question_topics(question)
    literal = knowledge.tagger.question_topics(question)
    weights = {t: literal.get(t, 0.0) + 0.5 * w for t, w in expanded.items()}
    return max(weights, key=lambda t: weights[t]) if weights else None


def answer_from_procedure(
    question: str, authority: str, knowledge: KnowledgeBase, context_topic: str | None = None
) -> ProcedureAnswer:
    """The cited answer to a procedural question, or an honest "I can't find that".

    `context_topic` is what the conversation was about: a follow-up such as "are there
    other services she should go to as well?" names no topic of its own.
    """
    own_authority = knowledge.authorities.get(authority)
    topic = _main_topic(knowledge, question)
    if topic is None and context_topic in knowledge.tagger.topics:
        topic = context_topic
        question = f"{question} ({knowledge.tagger.topics[topic].title})"
    covered = topic is None or any(topic in s.topics for s in knowledge.sections_of(authority))
    hits = [
        h for h in knowledge.search(question, authority, k=8) if h.section.authority == authority
    ]
    if topic is not None:
        # Stay on the question's topic: a passage that shares words but not the subject
        # (a "16 year old" in the homelessness section for a gang question) is not an answer.
        hits = [h for h in hits if topic in h.section.topics] or hits
        hits += _topic_sections(knowledge, authority, topic, exclude={h.section.id for h in hits})
        # A section given over to the topic answers better than one paragraph mentioning it.
        hits.sort(key=lambda h: -(h.score + TOPIC_DEPTH_WEIGHT * _topic_depth(knowledge, h, topic)))
    hits = hits[:6]
    topic_title = knowledge.tagger.topics[topic].title if topic else None
    if not covered or not hits:
        return _from_other_authorities(
            question, own_authority.short_name, authority, topic, topic_title, knowledge
        )
    found = _best_statements(question, hits, knowledge, topic)
    heading = topic_title or hits[0].section.title
    lines = [f"{heading} — {own_authority.short_name} procedure."]
    lines.append(numbered(step(s.force, _trim(s.text)) for s, _ in found))
    sections = _sources(found) or [hits[0].section]
    if topic in DECISION_TOPICS:
        lines.append(JUDGEMENT_LINE)
    lines.append(sources_line(source_name(s, own_authority.short_name) for s in sections))
    buttons = tuple(
        Button(
            f"Show me the text: {shorten(s.title, 40)}", f'/show_section{{"section_id": "{s.id}"}}'
        )
        for s in sections[:1]
    )
    return ProcedureAnswer(
        Reply("\n".join(lines), buttons, _citations(sections, found)), topic, False
    )


def _from_other_authorities(
    question: str,
    short_name: str,
    authority: str,
    topic: str | None,
    topic_title: str | None,
    knowledge: KnowledgeBase,
) -> ProcedureAnswer:
    others = [h for h in knowledge.search(question, None, k=6) if h.section.authority != authority]
    if topic:
        others = [h for h in others if topic in h.section.topics] or others
    subject = f"on {topic_title.lower()}" if topic_title else "on that"
    lines = [f"I can't find anything {subject} in the {short_name} procedure."]
    if not others:
        lines.append("Try asking another way, or check with your manager.")
        return ProcedureAnswer(Reply(" ".join(lines)), topic, True)
    lines.append(
        "Other authorities' procedures say (not your authority's own procedure — "
        "check how it applies with your manager):"
    )
    sections: list[Section] = []
    found = _best_statements(question, others[:4], knowledge, topic)
    owner = {
        h.section.id: knowledge.authorities.get(h.section.authority).short_name for h in others
    }
    # Each step says whose it is: "Blackpool's procedure — Should: ...".
    lines.append(
        numbered(
            f"{possessive(owner[sec.id])} procedure — {step(s.force, _trim(s.text))}"
            for s, sec in found
        )
    )
    sections = _sources(found) or [others[0].section]
    names = {s.id: knowledge.authorities.get(s.authority).short_name for s in sections}
    lines.append(sources_line(source_name(s, names[s.id]) for s in sections))
    return ProcedureAnswer(Reply("\n".join(lines), (), _citations(sections, found)), topic, True)
