"""The `assistant` command."""

from __future__ import annotations

import argparse
from collections.abc import Sequence


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

    from assistant.knowledge_cli import add_commands
    from assistant.timescales_cli import add_command as add_due_command

    add_commands(commands)
    add_due_command(commands)

    args = parser.parse_args(argv)
    if args.command == "run":
        from assistant.devstack.run import run_stack

        return run_stack(args.port, args.engine_port, args.actions_port)
    if args.command == "train":
        from assistant.devstack.layout import ProjectLayout
        from assistant.devstack.model import ensure_model

        ensure_model(ProjectLayout())
        return 0
    if args.command == "bench":
        from assistant.devstack.bench import run_bench

        return run_bench(str(args.base), str(args.engine), int(args.turns))
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
