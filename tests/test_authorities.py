from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core.authorities import AuthorityDirectory, UnknownAuthorityError, load_authorities
from tests.conftest import KNOWLEDGE_DIR

EXPECTED_IDS = ("gateshead", "blackpool", "kent", "lewisham", "regional")


def test_loads_the_five_authorities_in_source_order(authorities: AuthorityDirectory) -> None:
    assert authorities.ids == EXPECTED_IDS


def test_versions_and_dates_are_text_whatever_yaml_made_of_them(
    authorities: AuthorityDirectory,
) -> None:
    gateshead = authorities.get("gateshead")
    assert (gateshead.source_version, gateshead.last_updated) == ("v38", "2024-05-01")
    kent = authorities.get("kent")
    assert (kent.source_version, kent.last_updated) == ("refreshed July 2024", "2024-07")


def test_unknown_authority_names_the_valid_ones(authorities: AuthorityDirectory) -> None:
    with pytest.raises(UnknownAuthorityError) as raised:
        authorities.get("birmingham")
    assert raised.value.valid_ids == EXPECTED_IDS
    assert "birmingham" in str(raised.value) and "lewisham" in str(raised.value)


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("kent", "kent"),
        ("Kent County Council", "kent"),
        ("I'm in LEWISHAM", "lewisham"),
        ("regional partnership", "regional"),
        ("Birmingham", None),
        ("", None),
        (None, None),
        ("kentish town", None),
    ],
)
def test_find_reads_an_authority_from_a_workers_words(
    authorities: AuthorityDirectory, words: str | None, expected: str | None
) -> None:
    found = authorities.find(words)
    assert (found.id if found else None) == expected


def test_a_missing_procedure_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "sources.yml").write_text(
        "authorities:\n  kent:\n    name: Kent\n    file: kent.txt\n    chapter: Assessments\n"
        "    last_updated: '2024-07'\n    version: v1\n"
    )
    (tmp_path / "authorities.yml").write_text("authorities:\n  kent:\n    short_name: Kent\n")
    with pytest.raises(FileNotFoundError, match=r"kent\.txt"):
        load_authorities(tmp_path)


def test_an_authority_without_local_data_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "sources.yml").write_text((KNOWLEDGE_DIR / "sources.yml").read_text())
    (tmp_path / "authorities.yml").write_text("authorities:\n  kent:\n    short_name: Kent\n")
    with pytest.raises(ValueError, match="gateshead"):
        load_authorities(tmp_path)
