"""`make audit` (scripts/audit.py) decides on pip-audit's report: run against a fake pip-audit."""

from __future__ import annotations

import importlib.util
import json
import stat
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from assistant.settings import PROJECT_ROOT


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_script", PROJECT_ROOT / "scripts/audit.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


audit = _load_script()

SANIC_CORS = {
    "name": "sanic-cors",
    "version": "2.0.1",
    "vulns": [
        {
            "id": "PYSEC-2026-3539",
            "aliases": ["CVE-2026-37737", "GHSA-94jw-hqvj-vw74"],
            "fix_versions": [],
            "description": "sanic-cors 2.2.0 and prior: unanchored origin regex.",
        }
    ],
}
CLEAN = {"name": "attrs", "version": "22.1.0", "vulns": []}
SKIPPED = {
    "name": "aiohttp",
    "skip_reason": "Dependency not found on PyPI and could not be audited: aiohttp (3.9.5)",
}


def _fake_pip_audit(tmp_path: Path, dependencies: list[dict[str, Any]] | None) -> str:
    """An executable that writes `dependencies` as pip-audit's JSON report (None: it fails)."""
    canned = tmp_path / "canned.json"
    canned.write_text(json.dumps(dependencies))
    fake = tmp_path / "pip-audit"
    fake.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        f"deps = json.load(open({str(canned)!r}))\n"
        "if deps is None:\n"
        "    sys.stderr.write('ERROR:pip_audit._cli:Could not connect to the feed\\n')\n"
        "    sys.exit(1)\n"
        "out = sys.argv[sys.argv.index('--output') + 1]\n"
        "json.dump({'dependencies': deps, 'fixes': []}, open(out, 'w'))\n"
        "sys.exit(1 if any(d.get('vulns') for d in deps) else 0)\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    return str(fake)


def _run(tmp_path: Path, dependencies: list[dict[str, Any]] | None, ignore: str) -> int:
    requirements = tmp_path / "engine.txt"
    requirements.write_text("sanic-cors==2.0.1\nattrs==22.1.0\n")
    ignore_file = tmp_path / "ignore.txt"
    ignore_file.write_text(ignore)
    fake = _fake_pip_audit(tmp_path, dependencies)
    code: int = audit.main(
        [str(requirements), "--ignore-file", str(ignore_file), "--pip-audit", fake]
    )
    return code


def test_an_accepted_advisory_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Accepted by an alias: PyPI reports the PYSEC id, the ignore file names the CVE.
    assert _run(tmp_path, [SANIC_CORS, CLEAN], "CVE-2026-37737  # loopback, no --cors\n") == 0
    out = capsys.readouterr().out
    assert "2 of 2 pinned packages audited; 1 advisories (1 accepted, 0 new)" in out
    assert "accepted: loopback, no --cors" in out and "make audit passed" in out


def test_the_same_advisory_fails_when_the_ignore_list_is_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(tmp_path, [SANIC_CORS, CLEAN], "# nothing accepted\n") == 1
    out = capsys.readouterr().out
    assert "NEW ADVISORIES" in out and "PYSEC-2026-3539" in out and "FAILED" in out


def test_a_package_the_service_could_not_audit_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # pip-audit itself exits 0 and says "No known vulnerabilities found" here.
    assert _run(tmp_path, [CLEAN, SKIPPED], "") == 1
    out = capsys.readouterr().out
    assert "NOT AUDITED: 1 of 2 packages" in out and "aiohttp" in out and "not a pass" in out


def test_an_unreachable_service_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(tmp_path, None, "") == 1
    out = capsys.readouterr().out
    assert "pip-audit failed (exit 1)" in out and "Could not connect to the feed" in out


def test_a_no_longer_reported_acceptance_is_pointed_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(tmp_path, [CLEAN], "GHSA-xxxx-old  # fixed by an upgrade\n") == 0
    assert "remove from ignore.txt: GHSA-xxxx-old" in capsys.readouterr().out


def test_every_accepted_advisory_has_a_reason_and_a_row_in_security_md() -> None:
    accepted = audit.read_ignore_file(PROJECT_ROOT / "security" / "pip-audit-ignore.txt")
    security = (PROJECT_ROOT / "SECURITY.md").read_text(encoding="utf-8")
    for advisory, reason in accepted.items():
        assert reason, f"{advisory} has no reason in the ignore file"
        assert advisory in security, f"{advisory} is not explained in SECURITY.md"
