"""Operator commands: purge old conversations, export the audit log, issue an API token, export
or erase one child's data."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

OPERATIONS = ("purge", "audit", "token", "subject")


def add_operations_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    purge = commands.add_parser(
        "purge",
        help="delete conversation text older than the retention period (30 days), and plans "
        "untouched for longer than theirs (180 days)",
    )
    purge.add_argument("--days", type=int, help="keep this many days (ASSISTANT_RETENTION_DAYS)")
    purge.add_argument(
        "--plan-days",
        type=int,
        help="keep plans changed within this many days (ASSISTANT_PLAN_RETENTION_DAYS)",
    )

    audit = commands.add_parser("audit", help="export the answers audit log (CSV or JSON)")
    audit.add_argument("--authority", help="one authority's answers (default: all)")
    audit.add_argument("--since", type=date.fromisoformat, help="from this day, YYYY-MM-DD")
    audit.add_argument("--until", type=date.fromisoformat, help="to this day, inclusive")
    audit.add_argument("--format", choices=("csv", "json"), default="csv")
    audit.add_argument("--out", type=Path, help="file to write (default: standard output)")

    subject = commands.add_parser(
        "subject", help="one child's data, by initials or case reference: export or erase"
    )
    subject_commands = subject.add_subparsers(dest="subject_command", required=True)
    export = subject_commands.add_parser(
        "export", help="JSON of every plan, reminder and message that mentions the reference"
    )
    export.add_argument("reference", help="the child's initials or case reference")
    export.add_argument("--out", type=Path, help="file to write (default: standard output)")
    erase = subject_commands.add_parser(
        "erase", help="delete every plan, reminder and message that mentions the reference"
    )
    erase.add_argument("reference", help="the child's initials or case reference")
    erase.add_argument("--yes", action="store_true", help="really erase (nothing is kept)")

    token = commands.add_parser("token", help="issue an API token for a service")
    token.add_argument("name", help="who it is for, e.g. evaluation")
    token.add_argument("--role", choices=("practitioner", "manager"), default="practitioner")
    token.add_argument("--authority", help="the one authority it may act for (default: all)")


def run_operation(args: argparse.Namespace) -> int:
    if args.command == "purge":
        return _purge(args.days, args.plan_days)
    if args.command == "audit":
        return _audit(args)
    if args.command == "subject":
        return _subject(args)
    return _token(args)


def _purge(days: int | None, plan_days: int | None) -> int:
    from assistant.settings import Settings
    from assistant.store.database import create_database_engine
    from assistant.store.migrate import upgrade_to_latest
    from assistant.store.retention import purge

    settings = Settings()
    keep = days if days is not None else settings.retention_days
    keep_plans = plan_days if plan_days is not None else settings.plan_retention_days
    if keep < 1 or keep_plans < 1:
        print("--days and --plan-days must be at least 1", file=sys.stderr)
        return 2
    now = datetime.now(UTC)
    engine = create_database_engine(settings.database_url)
    try:
        upgrade_to_latest(engine)
        report = purge(
            engine,
            settings.tracker_store_url,
            now - timedelta(days=keep),
            now - timedelta(days=keep_plans),
        )
    finally:
        engine.dispose()
    print(report.describe())
    return 0


def _audit(args: argparse.Namespace) -> int:
    from assistant.core.answer_audit import audit_csv, audit_window
    from assistant.settings import Settings
    from assistant.store.audit_log import SqlAuditLog
    from assistant.store.database import create_database_engine
    from assistant.store.migrate import upgrade_to_latest

    engine = create_database_engine(Settings().database_url)
    try:
        upgrade_to_latest(engine)
        entries = SqlAuditLog(engine).entries(args.authority, *audit_window(args.since, args.until))
    finally:
        engine.dispose()
    if args.format == "csv":
        text = audit_csv(entries)
    else:
        text = json.dumps({"answers": [e.to_json() for e in entries]}, indent=2) + "\n"
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8", newline="")
        print(f"{len(entries)} answers written to {args.out}", file=sys.stderr)
    return 0


def _token(args: argparse.Namespace) -> int:
    from assistant.web.auth import new_api_token

    token, digest = new_api_token()
    entry = {"name": args.name, "sha256": digest, "role": args.role, "authority": args.authority}
    print(f"Token (shown once; give it to the service): {token}")
    print("Add this entry to ASSISTANT_API_TOKENS (a JSON list):")
    print(json.dumps(entry))
    return 0


def _subject(args: argparse.Namespace) -> int:
    from assistant.core.plans.model import PlanValidationError
    from assistant.settings import Settings
    from assistant.store.database import create_database_engine
    from assistant.store.migrate import upgrade_to_latest
    from assistant.store.subject_access import erase_subject, find_subject

    settings = Settings()
    engine = create_database_engine(settings.database_url)
    try:
        upgrade_to_latest(engine)
        found = find_subject(engine, settings.tracker_store_url, args.reference)
        if args.subject_command == "export":
            text = json.dumps(found.to_json(), indent=2, ensure_ascii=False) + "\n"
            if args.out is None:
                sys.stdout.write(text)
            else:
                args.out.parent.mkdir(parents=True, exist_ok=True)
                # Readable by the operator only: it is one child's personal data.
                descriptor = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(descriptor, "w", encoding="utf-8") as out:
                    out.write(text)
                print(f"Written to {args.out}", file=sys.stderr)
            return 0
        if not args.yes:
            print(
                f"This would erase {len(found.plans)} plans, {len(found.reminders)} reminders, "
                f"{len(found.transcript)} transcript messages and {len(found.tracker_events)} "
                f"tracker events that mention {found.reference}, for good. Export them first "
                "if they are needed, then run the command again with --yes.",
                file=sys.stderr,
            )
            return 2
        print(erase_subject(engine, settings.tracker_store_url, args.reference).describe())
        return 0
    except PlanValidationError as error:
        print(error, file=sys.stderr)
        return 2
    finally:
        engine.dispose()
