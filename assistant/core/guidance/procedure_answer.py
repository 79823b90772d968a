"""Answering from the procedure text: the worker's authority first, cited, must or should.

When the worker's authority is silent on the question's topic, say so and give what other
authorities' procedures say, clearly labelled as not theirs.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.core.guidance.style import (
    JUDGEMENT_LINE,
    numbered,
    source_name,
    sources_line,
    step,
)
from assistant.core.procedures.citations import cite
from assistant.core.procedures.knowledge_base import KnowledgeBase
from assistant.core.procedures.model import Section
from assistant.core.procedures.retrieval import SearchHit
from assistant.core.procedures.statements import Force, Statement, statements
from assistant.core.replies import Button, Reply

MAX_STEPS = 4
TOPIC_DEPTH_WEIGHT = 0.15
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
    text = " ".join(text.split()).rstrip(";,")
    if len(text) > MAX_STEP_CHARS:
        text = text[:MAX_STEP_CHARS].rsplit(" ", 1)[0] + "…"
    return text if text.endswith((".", "…", "?")) else text + "."


def _best_statements(
    question: str, hits: list[SearchHit], knowledge: KnowledgeBase, topic: str | None = None
) -> list[Statement]:
    """The statements of the best sections that say most about the question.

    Each statement is scored by the question's words it shares (after expanding the
    worker's words), with requirements and guidance ahead of plain information; the
    chosen ones are then given in the order the procedure gives them.
    """
    wanted = set(knowledge.analyzer.tokens(knowledge.expander.expand(question)))
    # What the topic's guidance covers (topics.yml) marks the actionable statements of it.
    covers = (
        set(knowledge.analyzer.tokens(knowledge.tagger.topics[topic].covers)) if topic else set()
    )
    seen: set[str] = set()
    scored: list[tuple[float, int, Statement]] = []
    order = 0
    for rank, hit in enumerate(hits[:2]):
        for passage in hit.section.passages:
            for statement in statements(passage.text):
                order += 1
                key = statement.text.lower()[:80]
                if (
                    key in seen
                    or len(statement.text) < 25
                    or statement.text.endswith(":")
                    or statement.text.startswith(("(", "See "))
                ):
                    continue
                seen.add(key)
                tokens = set(knowledge.analyzer.tokens(statement.text))
                overlap = len(wanted & tokens) + 0.5 * len(covers & tokens)
                if overlap == 0:
                    continue
                score = overlap + (2 - _FORCE_ORDER[statement.force]) * 0.5 - rank * 1.5
                scored.append((score, order, statement))
    best = sorted(scored, key=lambda item: -item[0])[:MAX_STEPS]
    return [s for _, _, s in sorted(best, key=lambda item: item[1])]


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

    `context_topic` is what the conversation was about: a follow-up such as "is there
    anyone else I need to refer her to?" names no topic of its own.
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
        # A section given over to the topic answers better than one paragraph mentioning it.
        hits.sort(key=lambda h: -(h.score + TOPIC_DEPTH_WEIGHT * _topic_depth(knowledge, h, topic)))
    hits = hits[:3]
    topic_title = knowledge.tagger.topics[topic].title if topic else None
    if not covered or not hits:
        return _from_other_authorities(
            question, own_authority.short_name, authority, topic, topic_title, knowledge
        )
    found = _best_statements(question, hits, knowledge, topic)
    heading = topic_title or hits[0].section.title
    lines = [f"{heading} — {own_authority.short_name} procedure."]
    lines.append(numbered(step(s.force, _trim(s.text)) for s in found))
    sections = [h.section for h in hits[:3]]
    if topic in DECISION_TOPICS:
        lines.append(JUDGEMENT_LINE)
    lines.append(sources_line(source_name(s, own_authority.short_name) for s in sections))
    buttons = tuple(
        Button(f"Show me the text: {s.title[:40]}", f'/show_section{{"section_id": "{s.id}"}}')
        for s in sections[:1]
    )
    return ProcedureAnswer(
        Reply("\n".join(lines), buttons, tuple(cite(s) for s in sections)), topic, False
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
    found = _best_statements(question, others[:2], knowledge, topic)
    names = {
        h.section.id: knowledge.authorities.get(h.section.authority).short_name for h in others[:2]
    }
    lines.append(numbered(step(s.force, _trim(s.text)) for s in found))
    sections = [h.section for h in others[:2]]
    lines.append(sources_line(source_name(s, names[s.id]) for s in sections))
    return ProcedureAnswer(
        Reply("\n".join(lines), (), tuple(cite(s) for s in sections)), topic, True
    )
