"""`make audit`: pip-audit over both environments' pinned requirements.

Fails (exit 1) when
- any advisory is reported that `security/pip-audit-ignore.txt` does not accept (by its id or
  one of its aliases), or
- any pinned package could not be audited (pip-audit itself reports those as skipped and still
  says "No known vulnerabilities found" and exits 0: here that is a failure), or
- pip-audit could not run or reach its vulnerability service.

    scripts/audit.py [--ignore-file F] [--pip-audit EXE] [REQUIREMENTS ...] [-- PIP_AUDIT_ARGS]

Extra pip-audit arguments go after `--`, e.g. `-- -s osv` for the OSV service
(`make audit AUDIT_ARGS="-s osv"`).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REQUIREMENTS = [ROOT / "requirements" / "app.txt", ROOT / "requirements" / "engine.txt"]
DEFAULT_IGNORE_FILE = ROOT / "security" / "pip-audit-ignore.txt"


@dataclass
class Finding:
    package: str
    version: str
    id: str
    aliases: list[str]
    fix_versions: list[str]
    description: str

    @property
    def ids(self) -> set[str]:
        return {self.id, *self.aliases}


@dataclass
class Result:
    requirements: Path
    audited: int = 0
    findings: list[Finding] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (package, reason)
    error: str | None = None


def read_ignore_file(path: Path) -> dict[str, str]:
    """Accepted advisory ids, each with the rest of its line (the reason) after `#`."""
    accepted: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        entry, _, reason = line.partition("#")
        for advisory in entry.split():
            accepted[advisory] = reason.strip()
    return accepted


def run_pip_audit(pip_audit: str, requirements: Path, extra: list[str]) -> Result:
    result = Result(requirements)
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        command = [
            pip_audit,
            "--requirement",
            str(requirements),
            # The files are complete `pip freeze` pins: audit exactly them, install nothing.
            "--no-deps",
            "--disable-pip",
            "--progress-spinner",
            "off",
            "--format",
            "json",
            "--desc",
            "on",
            "--aliases",
            "on",
            "--output",
            str(report),
            *extra,
        ]
        try:
            completed = subprocess.run(command, capture_output=True, text=True, check=False)
        except OSError as error:
            result.error = f"could not run {pip_audit}: {error}"
            return result
        if not report.is_file() or completed.returncode not in (0, 1):
            messages = [
                line
                for line in completed.stderr.splitlines()
                if line.startswith(("ERROR", "requests.", "urllib3.", "pip_audit."))
                or "Error" in line
            ]
            detail = "\n".join(messages[-5:]) or completed.stderr.strip()[-2000:]
            result.error = f"pip-audit failed (exit {completed.returncode}):\n{detail}"
            return result
        data = json.loads(report.read_text(encoding="utf-8"))
    for dependency in data.get("dependencies", []):
        if "skip_reason" in dependency:
            result.skipped.append((dependency["name"], dependency["skip_reason"]))
            continue
        result.audited += 1
        for vuln in dependency.get("vulns", []):
            result.findings.append(
                Finding(
                    package=dependency["name"],
                    version=dependency.get("version", "?"),
                    id=vuln["id"],
                    aliases=list(vuln.get("aliases") or []),
                    fix_versions=list(vuln.get("fix_versions") or []),
                    description=" ".join((vuln.get("description") or "").split()),
                )
            )
    return result


def _shown(path: Path) -> str:
    return os.path.relpath(path, ROOT) if path.is_relative_to(ROOT) else str(path)


def _print_finding(finding: Finding, reason: str | None = None) -> None:
    aliases = f" ({', '.join(sorted(finding.aliases))})" if finding.aliases else ""
    fixed = ", ".join(finding.fix_versions) or "no fixed release"
    print(f"  {finding.package} {finding.version}: {finding.id}{aliases}; fixed in: {fixed}")
    if reason is not None:
        print(f"      accepted: {reason or '(no reason given in the ignore file)'}")
    else:
        print(textwrap.indent(textwrap.fill(finding.description[:600], 92), "      "))


def report(results: list[Result], accepted: dict[str, str], ignore_file: Path) -> int:
    failed = False
    matched: set[str] = set()
    for result in results:
        name = result.requirements.name
        total = result.audited + len(result.skipped)
        print(f"==> {_shown(result.requirements)}")
        if result.error:
            failed = True
            print(f"FAILED: {result.error}")
            continue
        new = [f for f in result.findings if not f.ids & accepted.keys()]
        old = [f for f in result.findings if f.ids & accepted.keys()]
        for finding in old:
            matched |= finding.ids & accepted.keys()
        print(
            f"{result.audited} of {total} pinned packages audited; "
            f"{len(result.findings)} advisories ({len(old)} accepted, {len(new)} new)"
        )
        if old:
            print(f"Accepted in {ignore_file.name}:")
            for finding in old:
                reason = next(accepted[i] for i in sorted(finding.ids) if i in accepted)
                _print_finding(finding, reason)
        if new:
            failed = True
            print(f"NEW ADVISORIES in {name}, not accepted in {ignore_file}:")
            for finding in new:
                _print_finding(finding)
        if result.skipped:
            failed = True
            print(
                f"NOT AUDITED: {len(result.skipped)} of {total} packages in {name}: the "
                "vulnerability service gave no answer for them, so nothing is known about them. "
                "This is not a pass."
            )
            for package, reason in result.skipped[:5]:
                print(f"  {package}: {reason}")
            if len(result.skipped) > 5:
                print(f"  ... and {len(result.skipped) - 5} more")
    complete = all(not r.error and not r.skipped for r in results)
    stale = sorted(set(accepted) - matched)
    if complete and stale:
        # Keep the list honest: an advisory that no longer applies (the pin moved past it)
        # should leave the ignore file and SECURITY.md.
        print(f"Note: no longer reported, remove from {ignore_file.name}: {', '.join(stale)}")
    if failed:
        print("\nmake audit FAILED.")
        if any(r.skipped or r.error for r in results):
            print(
                "  Packages that were not audited, or pip-audit that could not run: the "
                "vulnerability service must answer for every pinned release (PyPI's "
                "https://pypi.org/pypi/<name>/<version>/json by default; "
                'make audit AUDIT_ARGS="-s osv" for api.osv.dev). Run it where one is reachable.'
            )
        if any(f for r in results for f in r.findings if not f.ids & accepted.keys()):
            print(
                "  A new advisory: upgrade the pin if the environment allows it; otherwise add "
                f"its id to {_shown(ignore_file)} with the reason, and its row to SECURITY.md."
            )
        return 1
    print("\nmake audit passed: every pinned package audited, no advisory that is not accepted.")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in argv:
        at = argv.index("--")
        argv, extra = argv[:at], argv[at + 1 :]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("requirements", nargs="*", type=Path, default=DEFAULT_REQUIREMENTS)
    parser.add_argument("--ignore-file", type=Path, default=DEFAULT_IGNORE_FILE)
    parser.add_argument(
        "--pip-audit", default=str(Path(sys.executable).with_name("pip-audit")), help="executable"
    )
    args = parser.parse_args(argv)
    accepted = read_ignore_file(args.ignore_file)
    results = [run_pip_audit(args.pip_audit, r.resolve(), extra) for r in args.requirements]
    return report(results, accepted, args.ignore_file.resolve())


if __name__ == "__main__":
    sys.exit(main())
