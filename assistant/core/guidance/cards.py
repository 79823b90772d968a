"""Guidance cards: reviewed answers to the kinds of question practitioners ask.

A card is one kind of question ("Do I have to see the child alone?"). For each authority it
holds a direct answer, two to six steps in our own plain words, each tied to a verbatim quote
of that authority's chapter, and who decides where the chapter says so; or it says the
chapter is silent. Cards are data (knowledge/answers/), so a reviewer can check every claim
against the chapter, and `card_problems` checks what can be checked mechanically.

Why cards rather than sentences picked from the chapter at answer time: picked sentences were
cut, mislabelled and often beside the point. A card's wording is written once, checked
against its quote, and read by every channel (chat, Teams, learning, the plan builder).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from assistant.core.procedures.statements import Force, classify

ANSWERS_DIR = "answers"
MIN_STEPS = 2
MAX_STEPS = 6
MAX_STEP_WORDS = 40
MAX_ANSWER_SENTENCES = 2


class CardKind(StrEnum):
    YES_NO = "yes_no"  # the answer line starts "Yes" or "No"
    HOW = "how"
    WHAT = "what"
    WHO = "who"
    WHEN = "when"


class CardDataError(ValueError):
    """The card files are malformed: which file, which card, what is wrong."""


@dataclass(frozen=True)
class Supported:
    """A sentence of ours with the chapter's words that support it."""

    say: str
    section: str
    quote: str

    @property
    def force(self) -> Force:
        """Must or Should come from the quote, never from our wording."""
        return classify(self.quote)


@dataclass(frozen=True)
class AuthorityAnswer:
    """What one authority's chapter says for a card, or that it is silent."""

    authority: str
    answer: str
    steps: tuple[Supported, ...]
    decides: Supported | None = None

    @property
    def silent(self) -> bool:
        return not self.steps


@dataclass(frozen=True)
class Card:
    id: str
    title: str
    kind: CardKind
    question: str
    topic: str | None
    answers: Mapping[str, AuthorityAnswer]
    stage: int | None = None
    urgent: bool = False
    # No chapter answers it: the card exists so that its questions are told so.
    uncovered: bool = False

    def for_authority(self, authority: str) -> AuthorityAnswer | None:
        return self.answers.get(authority)

    def answered_elsewhere(self, authority: str) -> list[AuthorityAnswer]:
        """Other authorities' answers, for when this authority's chapter is silent."""
        return [a for key, a in self.answers.items() if key != authority and not a.silent]


@dataclass(frozen=True)
class CardLibrary:
    cards: tuple[Card, ...]

    def get(self, card_id: str) -> Card:
        for card in self.cards:
            if card.id == card_id:
                return card
        raise KeyError(card_id)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.cards)

    def stages(self) -> tuple[Card, ...]:
        """The stage cards in the order an assessment goes through them."""
        staged = [c for c in self.cards if c.stage is not None]
        return tuple(sorted(staged, key=lambda c: c.stage or 0))


def _supported(raw: Any, where: str) -> Supported:
    if not isinstance(raw, Mapping):
        raise CardDataError(f"{where}: expected say, section and quote")
    try:
        return Supported(str(raw["say"]).strip(), str(raw["section"]), str(raw["quote"]).strip())
    except KeyError as missing:
        raise CardDataError(f"{where}: missing {missing}") from None


def _authority_answer(authority: str, card_id: str, raw: Any, where: str) -> AuthorityAnswer:
    if not isinstance(raw, Mapping):
        raise CardDataError(f"{where}: expected a mapping")
    if raw.get("silent"):
        return AuthorityAnswer(authority, "", ())
    steps = tuple(_supported(s, f"{where} step {n}") for n, s in enumerate(raw.get("steps") or []))
    decides = _supported(raw["decides"], f"{where} decides") if raw.get("decides") else None
    return AuthorityAnswer(authority, str(raw.get("answer") or "").strip(), steps, decides)


def load_cards(knowledge_dir: Path, authorities: Iterable[str]) -> CardLibrary:
    """The catalogue with each authority's answers. A card an authority file does not mention
    has no answer for that authority (the support tests require every one to be present)."""
    folder = knowledge_dir / ANSWERS_DIR
    catalogue = yaml.safe_load((folder / "cards.yml").read_text("utf-8"))["cards"]
    per_authority: dict[str, dict[str, AuthorityAnswer]] = {}
    for authority in authorities:
        path = folder / f"{authority}.yml"
        raw = yaml.safe_load(path.read_text("utf-8")) if path.exists() else None
        answers = (raw or {}).get("answers") or {}
        per_authority[authority] = {
            str(card_id): _authority_answer(authority, str(card_id), body, f"{path.name} {card_id}")
            for card_id, body in answers.items()
        }
    cards = []
    for entry in catalogue:
        card_id = str(entry["id"])
        cards.append(
            Card(
                id=card_id,
                title=str(entry["title"]),
                kind=CardKind(entry["kind"]),
                question=str(entry["question"]),
                topic=entry.get("topic"),
                answers={
                    a: answers[card_id]
                    for a, answers in per_authority.items()
                    if card_id in answers
                },
                stage=entry.get("stage"),
                urgent=bool(entry.get("urgent", False)),
                uncovered=bool(entry.get("uncovered", False)),
            )
        )
    known = {c.id for c in cards}
    for authority, answers in per_authority.items():
        unknown = sorted(set(answers) - known)
        if unknown:
            raise CardDataError(f"{authority}.yml answers cards not in cards.yml: {unknown}")
    return CardLibrary(tuple(cards))


def fold(text: str) -> str:
    """Whitespace-normalised and straight quotes, so a wrapped quote matches the chapter."""
    return " ".join(text.replace("\u2019", "'").replace("\u2018", "'").split())


_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")


def _sentences(text: str) -> int:
    return len(_SENTENCE_END.findall(text.strip()))


def card_problems(
    library: CardLibrary,
    authorities: Iterable[str],
    section_text: Callable[[str], str | None],
    shares_key_terms: Callable[[str, str], bool],
) -> list[str]:
    """Why any card is not supported by the chapters (empty when every one is).

    `section_text` gives a section's text as the knowledge base loads it; `shares_key_terms`
    says whether our sentence and its quote share their key terms (glossary synonyms count).
    """
    problems: list[str] = []
    wanted = tuple(authorities)
    for card in library.cards:
        for authority in wanted:
            where = f"{card.id} [{authority}]"
            answer = card.for_authority(authority)
            if answer is None:
                problems.append(f"{where}: neither answered nor marked silent")
                continue
            if answer.silent:
                continue
            problems.extend(_answer_problems(card, answer, where))
            supported = list(answer.steps) + ([answer.decides] if answer.decides else [])
            for n, item in enumerate(supported, start=1):
                problems.extend(_support_problems(item, authority, f"{where} #{n}", section_text))
                if not shares_key_terms(item.say, item.quote):
                    problems.append(
                        f"{where} #{n}: {item.say!r} shares no key terms with its quote"
                    )
                if classify(item.say) is Force.REQUIREMENT and item.force is not Force.REQUIREMENT:
                    problems.append(f"{where} #{n}: says it is required; the quote does not")
    return problems


def _answer_problems(card: Card, answer: AuthorityAnswer, where: str) -> list[str]:
    problems = []
    if not MIN_STEPS <= len(answer.steps) <= MAX_STEPS:
        problems.append(f"{where}: {len(answer.steps)} steps, not {MIN_STEPS}-{MAX_STEPS}")
    if not answer.answer:
        problems.append(f"{where}: no direct answer")
    elif _sentences(answer.answer) > MAX_ANSWER_SENTENCES:
        problems.append(f"{where}: the direct answer is more than two sentences")
    if card.kind is CardKind.YES_NO and not re.match(r"(Yes|No)\b", answer.answer):
        problems.append(f"{where}: a yes/no card's answer must start with Yes or No")
    for n, item in enumerate(answer.steps, start=1):
        words = len(item.say.split())
        if not (item.say[:1].isupper() and item.say.endswith(".")) or _sentences(item.say) != 1:
            problems.append(f"{where} #{n}: a step is one complete sentence: {item.say!r}")
        if words > MAX_STEP_WORDS:
            problems.append(f"{where} #{n}: {words} words (at most {MAX_STEP_WORDS})")
    return problems


def _support_problems(
    item: Supported, authority: str, where: str, section_text: Callable[[str], str | None]
) -> list[str]:
    if not item.section.startswith(f"{authority}/"):
        return [f"{where}: cites another authority's section {item.section}"]
    text = section_text(item.section)
    if text is None:
        return [f"{where}: no such section {item.section}"]
    if len(item.quote) < 20:
        return [f"{where}: the quote is too short to support anything"]
    if fold(item.quote) not in fold(text):
        return [f"{where}: quote not in {item.section}: {item.quote!r}"]
    return []


PARAPHRASES_DIR = "paraphrases"
# The engine's intents whose examples are not practice questions: what a card must not take.
NOT_CARD_INTENTS = frozenset(
    {
        "greet", "goodbye", "thanks", "help", "bot_challenge", "out_of_scope",
        "choose_authority", "ask_authorities", "show_section", "start_again", "stop",
        "affirm", "deny", "why_asking", "plan_assessment", "resume_plan", "set_reminders",
        "mark_reminder_done", "quiz_me", "how_am_i_doing", "practice_case",
    }
)  # fmt: skip
_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


def load_paraphrases(folder: Path, known: Iterable[str]) -> dict[str, list[str]]:
    """Paraphrases per card from every file in `folder` (`paraphrases:` and, for stage cards,
    `done:` messages, which mean the same card); CardDataError for an unknown card id."""
    ids = set(known)
    out: dict[str, list[str]] = {}
    for path in sorted(folder.glob("*.yml")):
        raw = yaml.safe_load(path.read_text("utf-8")) or {}
        for part in ("paraphrases", "done"):
            for card_id, texts in (raw.get(part) or {}).items():
                if card_id not in ids:
                    raise CardDataError(f"{path.name}: {card_id!r} is not a card in cards.yml")
                out.setdefault(str(card_id), []).extend(str(t) for t in texts or [])
    return out


def engine_examples(nlu_dir: Path, intents: Iterable[str]) -> list[str]:
    """The engine's training examples of `intents`, entity annotations removed."""
    wanted = set(intents)
    out: list[str] = []
    for path in sorted(nlu_dir.glob("*.yml")):
        raw = yaml.safe_load(path.read_text("utf-8")) or {}
        for item in raw.get("nlu") or []:
            if item.get("intent") in wanted:
                for line in str(item.get("examples", "")).splitlines():
                    line = line.strip()
                    if line.startswith("- "):
                        out.append(_ANNOTATION.sub(r"\1", line[2:]).strip())
    return out
