"""Plain-English meanings of the procedures' terms, each citing the sections that use it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True)
class GlossaryEntry:
    key: str
    term: str
    meaning: str
    aliases: tuple[str, ...]
    section_ids: tuple[str, ...]


class UnknownTermError(LookupError):
    def __init__(self, term: str, suggestions: tuple[str, ...]) -> None:
        self.term = term
        self.suggestions = suggestions
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"No glossary entry for {term!r}.{hint}")


def _normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


class Glossary:
    def __init__(self, entries: list[GlossaryEntry]) -> None:
        self.entries = {e.key: e for e in entries}
        self._names: dict[str, str] = {}
        for entry in entries:
            for name in (entry.key, entry.term, *entry.aliases):
                self._names.setdefault(_normalise(name), entry.key)

    def lookup(self, term: str) -> GlossaryEntry:
        wanted = _normalise(term)
        key = self._names.get(wanted)
        if key is not None:
            return self.entries[key]
        suggestions = tuple(
            sorted({k for name, k in self._names.items() if wanted and wanted in name})
        )[:5]
        raise UnknownTermError(term, suggestions)

    def find_in(self, text: str) -> list[GlossaryEntry]:
        """Entries whose name appears in a worker's words, longest names first."""
        words = f" {_normalise(text)} "
        found: dict[str, GlossaryEntry] = {}
        for name in sorted(self._names, key=len, reverse=True):
            if name and f" {name} " in words:
                found.setdefault(self._names[name], self.entries[self._names[name]])
        return list(found.values())


def load_glossary(knowledge_dir: Path, known_sections: set[str] | None = None) -> Glossary:
    """Read glossary.yml; with `known_sections`, refuse citations of sections that don't exist."""
    raw = yaml.safe_load((knowledge_dir / "glossary.yml").read_text(encoding="utf-8"))
    entries = []
    for key, item in raw["terms"].items():
        entry = GlossaryEntry(
            key=str(key),
            term=str(item["term"]),
            meaning=" ".join(str(item["meaning"]).split()),
            aliases=tuple(str(a) for a in item.get("aliases") or ()),
            section_ids=tuple(str(s) for s in item["sections"]),
        )
        if known_sections is not None:
            missing = [s for s in entry.section_ids if s not in known_sections]
            if missing:
                raise ValueError(f"glossary.yml: {key} cites unknown sections {missing}")
        entries.append(entry)
    return Glossary(entries)
