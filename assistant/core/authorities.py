"""The local authorities we serve, as described by `knowledge/sources.yml`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


class UnknownAuthorityError(LookupError):
    """Raised for an authority id we do not serve; carries the valid ids for the message."""

    def __init__(self, requested: str, valid_ids: tuple[str, ...]) -> None:
        self.requested = requested
        self.valid_ids = valid_ids
        super().__init__(
            f"Unknown authority {requested!r}. Valid authorities: {', '.join(valid_ids)}."
        )


def possessive(short_name: str) -> str:
    """ "Gateshead's", "Regional partnership's": how a rule is labelled as an authority's."""
    return f"{short_name}'" if short_name.endswith("s") else f"{short_name}'s"


@dataclass(frozen=True)
class Authority:
    id: str
    name: str
    chapter: str
    source_version: str
    last_updated: str
    procedure_file: str
    short_name: str

    def to_json(self) -> dict[str, str]:
        return {
            "id": self.id,
            "name": self.name,
            "source_version": self.source_version,
            "last_updated": self.last_updated,
        }


@dataclass(frozen=True)
class AuthorityDirectory:
    """All authorities, in the order `sources.yml` lists them."""

    authorities: tuple[Authority, ...]

    def __iter__(self) -> Iterator[Authority]:
        return iter(self.authorities)

    def __len__(self) -> int:
        return len(self.authorities)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.authorities)

    @property
    def name_words(self) -> frozenset[str]:
        """Every word of the authorities' ids and names, in lower case: workers name them
        ("she rang Kent Front Door"), and redaction must not take them for a child's name."""
        return frozenset(
            word
            for a in self.authorities
            for word in re.findall(r"[^\W\d_]+", f"{a.id} {a.name} {a.short_name}".lower())
        )

    def get(self, authority_id: str) -> Authority:
        for authority in self.authorities:
            if authority.id == authority_id:
                return authority
        raise UnknownAuthorityError(authority_id, self.ids)

    def find(self, text: str | None) -> Authority | None:
        """The authority a worker's words name ("Kent County Council", "LEWISHAM"), if any."""
        if not text:
            return None
        words = set(re.findall(r"[a-z]+", text.lower()))
        for authority in self.authorities:
            if authority.id in words:
                return authority
        return None


def _read_yaml_mapping(path: Path) -> dict[str, dict[str, Any]]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or not isinstance(raw.get("authorities"), dict):
        raise ValueError(f"{path} must have a mapping under 'authorities'")
    entries: dict[str, dict[str, Any]] = raw["authorities"]
    return entries


def load_authorities(knowledge_dir: Path) -> AuthorityDirectory:
    """Read `sources.yml` and `authorities.yml`; fail loudly rather than serve half a list."""
    path = knowledge_dir / "sources.yml"
    entries = _read_yaml_mapping(path)
    local = _read_yaml_mapping(knowledge_dir / "authorities.yml")
    authorities = []
    for authority_id, entry in entries.items():
        if authority_id not in local:
            raise ValueError(f"authorities.yml has no entry for {authority_id!r}")
        procedure_file = str(entry["file"])
        if not (knowledge_dir / procedure_file).is_file():
            raise FileNotFoundError(f"{path}: procedure file {procedure_file!r} is missing")
        authorities.append(
            Authority(
                id=authority_id,
                name=str(entry["name"]),
                chapter=str(entry["chapter"]),
                # YAML reads 2024-05-01 as a date and "2024-07" as a string: keep both as text.
                source_version=str(entry["version"]),
                last_updated=str(entry["last_updated"]),
                procedure_file=procedure_file,
                short_name=str(local[authority_id]["short_name"]),
            )
        )
    if not authorities:
        raise ValueError(f"{path} lists no authorities")
    return AuthorityDirectory(tuple(authorities))
