"""`assistant search` and `assistant kb ...`: the knowledge base from the command line."""

from __future__ import annotations

import argparse

from assistant.core.audit import stale_citations
from assistant.core.authorities import UnknownAuthorityError
from assistant.core.guidance.answering import Guide
from assistant.core.guidance.card_answer import answer_card
from assistant.core.guidance.cards import load_cards
from assistant.core.guidance.readability import measure
from assistant.core.guidance.reader import shared_reader
from assistant.core.procedures.changes import diff, fingerprints, read_snapshot, write_snapshot
from assistant.core.procedures.ingest import ingest
from assistant.core.procedures.knowledge_base import KnowledgeBase, build_knowledge_base
from assistant.core.timescales.rules import load_timescale_rules, unsupported_rules
from assistant.settings import Settings
from assistant.store.citation_log import SqlCitationLog
from assistant.store.database import create_database_engine
from assistant.store.migrate import upgrade_to_latest


def _knowledge() -> KnowledgeBase:
    return build_knowledge_base(Settings().knowledge_dir)


def run_search(args: argparse.Namespace) -> int:
    knowledge = _knowledge()
    try:
        hits = knowledge.search(args.query, args.authority, args.k)
    except UnknownAuthorityError as error:
        print(error)
        return 2
    if not hits:
        print("No sections match.")
    for hit in hits:
        section = hit.section
        print(f"{hit.score:5.2f}  {section.id}  [{', '.join(section.topics)}]")
        print(f"       {section.title} ({section.source_version})")
        print(f"       {hit.snippet}\n")
    return 0


def _print_changes(
    label: str, added: tuple[str, ...], removed: tuple[str, ...], changed: tuple[str, ...]
) -> None:
    print(label)
    for name, ids in (("added", added), ("removed", removed), ("changed", changed)):
        print(f"  {name}: {len(ids)}")
        for section_id in ids:
            print(f"    {section_id}")


def _report_stale_citations(
    settings: Settings, affected: tuple[str, ...], hashes: dict[str, str]
) -> None:
    database = create_database_engine(settings.database_url)
    upgrade_to_latest(database)
    stale = stale_citations(SqlCitationLog(database), affected, hashes)
    print(f"Answers that cited a changed or removed section: {len(stale)}")
    for use in stale:
        print(
            f"  {use.cited_at:%Y-%m-%d %H:%M}  conversation {use.conversation_id}  "
            f"cited {use.section_id}"
        )


def _report_unsupported_rules(settings: Settings, knowledge: KnowledgeBase) -> int:
    """A changed chapter may no longer say what a local rule in authorities.yml relies on: say
    which, and fail, so that nobody is told a rule their chapter no longer states."""
    rules = load_timescale_rules(settings.knowledge_dir)
    problems = unsupported_rules(
        rules, lambda s: knowledge.sections[s].text if s in knowledge.sections else None
    )
    if not problems:
        return 0
    print("Local rules in authorities.yml their chapter no longer states (fix the rule or quote):")
    for problem in problems:
        print(f"  {problem}")
    return 1


def _report_cards(knowledge: KnowledgeBase, settings: Settings) -> int:
    """Each authority's cards, answered or silent, and how readable their replies are."""
    library = load_cards(settings.knowledge_dir, knowledge.authorities.ids)
    guide = Guide(library, knowledge, lambda: shared_reader(settings.knowledge_dir, knowledge))
    every = []
    for authority in knowledge.authorities.ids:
        answers = [c.for_authority(authority) for c in library.cards]
        silent = sum(1 for a in answers if a is None or a.silent)
        texts = [answer_card(c, authority, guide.context).text for c in library.cards]
        every += texts
        r = measure(texts)
        print(
            f"{authority}: {len(library.cards) - silent} answered, {silent} silent; "
            f"median Flesch reading ease {r.median_flesch:.1f}, longest sentence "
            f"{r.longest_sentence_words} words, median reply {r.median_words:.0f} words"
        )
    r = measure(every)
    print(
        f"all: {r.replies} replies; median Flesch reading ease {r.median_flesch:.1f}, "
        f"longest sentence {r.longest_sentence_words} words, "
        f"median reply {r.median_words:.0f} words"
    )
    return 0


def run_kb(args: argparse.Namespace) -> int:
    settings = Settings()
    if args.kb_command == "report":
        knowledge = _knowledge()
        for coverage in knowledge.coverage():
            name = knowledge.authorities.get(coverage.authority).name
            print(
                f"{name} ({coverage.authority}): covers {len(coverage.covered)} of "
                f"{len(knowledge.topic_ids)} topics"
            )
            print(f"  not covered: {', '.join(coverage.missing) or 'none'}")
        return 0
    if args.kb_command == "cards":
        return _report_cards(_knowledge(), settings)
    if args.kb_command == "ingest":
        knowledge = _knowledge()
        before = read_snapshot(settings.knowledge_dir)
        changes = diff(before, fingerprints(knowledge.sections.values()))
        if not before:
            print(f"First ingestion: {len(knowledge.sections)} sections recorded.")
        elif not changes:
            print("No section changed since the last ingestion.")
        else:
            _print_changes(
                "Sections changed since the last ingestion:",
                changes.added,
                changes.removed,
                changes.changed,
            )
        write_snapshot(settings.knowledge_dir, knowledge.sections.values())
        if changes.affected:
            _report_stale_citations(settings, changes.affected, knowledge.section_hashes)
        return _report_unsupported_rules(settings, knowledge)
    if args.kb_command == "diff":
        old = ingest(args.authority, args.old.read_text(encoding="utf-8"), "old", "")
        new = ingest(args.authority, args.new.read_text(encoding="utf-8"), "new", "")
        changes = diff(fingerprints(old), fingerprints(new))
        _print_changes(
            f"{args.old} -> {args.new}:", changes.added, changes.removed, changes.changed
        )
        return 0
    return 2
