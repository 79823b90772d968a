"""The `assistant` command's knowledge sub-commands, run in-process."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.cli import main
from tests.conftest import KNOWLEDGE_DIR


@pytest.fixture
def knowledge_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, copy)
    (copy / "sections.lock.json").unlink(missing_ok=True)
    monkeypatch.setenv("ASSISTANT_KNOWLEDGE_DIR", str(copy))
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    return copy


def test_search_prints_ranked_sections(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "NRM referral consent", "--authority", "kent", "-k", "2"]) == 0
    out = capsys.readouterr().out
    assert "kent/16-the-national-referral-mechanism" in out
    assert "refreshed July 2024" in out


def test_search_with_an_unknown_authority_says_which_exist(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["search", "timescales", "--authority", "narnia"]) == 2
    assert "gateshead" in capsys.readouterr().out


def test_report_lists_coverage_per_authority(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "report"]) == 0
    out = capsys.readouterr().out
    assert out.count("covers ") == 5 and "not covered:" in out


def test_ingest_reports_a_changed_chapter_by_section(
    knowledge_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["kb", "ingest"]) == 0
    assert "First ingestion" in capsys.readouterr().out
    lewisham = knowledge_copy / "lewisham.txt"
    lewisham.write_text(
        lewisham.read_text().replace("the assessment plan must be reviewed", "it is reviewed", 1)
    )
    assert main(["kb", "ingest"]) == 0
    out = capsys.readouterr().out
    assert "changed: 1" in out and "lewisham/" in out
    assert main(["kb", "ingest"]) == 0
    assert "No section changed" in capsys.readouterr().out


def test_ingest_fails_when_a_chapter_no_longer_states_a_local_rule(
    knowledge_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["kb", "ingest"]) == 0
    capsys.readouterr()
    kent = knowledge_copy / "kent.txt"
    kent.write_text(kent.read_text().replace("45 working days", "40 working days", 1))
    assert main(["kb", "ingest"]) == 1
    out = capsys.readouterr().out
    assert "changed: 1" in out and "kent/11-timescales" in out
    assert "no longer states" in out
    assert "kent assessment_working_days (kent/11-timescales)" in out


def test_diff_compares_two_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = tmp_path / "old.txt", tmp_path / "new.txt"
    old.write_text("Assessments\n\n1. Intro\n\nText.\n\n2. Gone\n\nBye.\n")
    new.write_text("Assessments\n\n1. Intro\n\nText changed.\n\n3. New\n\nHello.\n")
    assert main(["kb", "diff", "kent", str(old), str(new)]) == 0
    out = capsys.readouterr().out
    assert "added: 1" in out and "kent/3-new" in out
    assert "removed: 1" in out and "kent/2-gone" in out
    assert "changed: 1" in out and "kent/1-intro" in out
