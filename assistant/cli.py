"""The `assistant` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from assistant.operations_cli import OPERATIONS, add_operations_commands, run_operation


def _add_knowledge_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    search = commands.add_parser("search", help="search the procedures")
    search.add_argument("query")
    search.add_argument("--authority", help="authority id (default: all)")
    search.add_argument("-k", type=int, default=5, help="how many results")

    kb = commands.add_parser("kb", help="knowledge base: coverage report, ingest, diff")
    kb_commands = kb.add_subparsers(dest="kb_command", required=True)
    kb_commands.add_parser("report", help="topics each authority's procedure covers or not")
    kb_commands.add_parser(
        "cards", help="guidance cards per authority: answered, silent, readability of replies"
    )
    kb_commands.add_parser(
        "ingest", help="ingest knowledge/, report sections changed since last time, record them"
    )
    compare = kb_commands.add_parser("diff", help="compare two versions of one procedure text")
    compare.add_argument("authority")
    compare.add_argument("old", type=Path)
    compare.add_argument("new", type=Path)


def _add_due_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    due = commands.add_parser("due", help="deadlines for a referral, in working days")
    due.add_argument("referral_date", help="e.g. 2026-12-14, 14/12/2026 or '14 December'")
    due.add_argument("--authority", required=True)
    due.add_argument("--edd", help="expected delivery date (pre-birth)")
    due.add_argument("--dob", help="the young person's date of birth")
    due.add_argument("--visit", help="date of a child in need visit")
    due.add_argument("--cin-plan-start", help="when a Child in Need plan began")
    due.add_argument("--today", help="count days left from this date instead of today")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="assistant", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="train if needed and run the whole assistant")
    run.add_argument("--port", type=int, default=8000, help="web app port (default 8000)")
    run.add_argument("--engine-port", type=int, default=5005, help="Rasa engine port")
    run.add_argument("--actions-port", type=int, default=5055, help="action server port")

    bench = commands.add_parser("bench", help="measure chat latency against a running stack")
    bench.add_argument("--base", default="http://127.0.0.1:8000", help="web app URL")
    bench.add_argument("--engine", default="http://127.0.0.1:5005", help="Rasa engine URL")
    bench.add_argument("--turns", type=int, default=60, help="turns per measurement")

    commands.add_parser("train", help="train the Rasa model if its inputs changed")

    _add_knowledge_commands(commands)
    _add_due_command(commands)
    add_operations_commands(commands)
    store_backup = commands.add_parser("backup", help="back up the app store to a file")
    store_backup.add_argument("file", type=Path, help="e.g. var/backups/assistant.json.gz")
    store_restore = commands.add_parser(
        "restore", help="restore a backup into an empty app store (ASSISTANT_DATABASE_URL)"
    )
    store_restore.add_argument("file", type=Path)

    args = parser.parse_args(argv)
    if args.command == "run":
        from assistant.devstack.run import run_stack

        return run_stack(args.port, args.engine_port, args.actions_port)
    if args.command == "train":
        from assistant.devstack.layout import ProjectLayout
        from assistant.devstack.model import ModelError, ensure_model

        try:
            ensure_model(ProjectLayout())
        except ModelError as error:
            print(error, file=sys.stderr)
            return 1
        return 0
    if args.command == "bench":
        from assistant.devstack.bench import run_bench

        return run_bench(str(args.base), str(args.engine), int(args.turns))
    if args.command in OPERATIONS:
        return run_operation(args)
    if args.command in ("backup", "restore"):
        return _backup_or_restore(args.command, args.file)
    if args.command == "due":
        from assistant.timescales_cli import run_due

        return run_due(args)
    if args.command in ("search", "kb"):
        from assistant.knowledge_cli import run_kb, run_search

        return run_search(args) if args.command == "search" else run_kb(args)
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":
    raise SystemExit(main())


def _backup_or_restore(command: str, file: Path) -> int:
    from assistant.settings import Settings
    from assistant.store.backup import BackupError, backup, restore
    from assistant.store.database import create_database_engine

    engine = create_database_engine(Settings().database_url)
    try:
        summary = backup(engine, file) if command == "backup" else restore(engine, file)
    except (BackupError, FileNotFoundError) as error:
        print(f"{command} failed: {error}")
        return 1
    finally:
        engine.dispose()
    rows = ", ".join(f"{name} {count}" for name, count in summary.rows.items())
    done = "Backed up to" if command == "backup" else "Restored from"
    print(f"{done} {file} (schema {', '.join(summary.revisions)}): {rows}.")
    return 0
