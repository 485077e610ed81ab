"""The ``azabot`` command line: check and list the FAQ, ask a question, chat, evaluate, run the bot."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.config import SettingsError, load_settings
from bot.knowledge import KnowledgeBase, LoadResult, load_knowledge, required_topic_ids

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


def _faq_dir(arg: str | None) -> Path:
    if arg:
        return Path(arg)
    try:
        return load_settings().faq_dir
    except SettingsError:
        return Path("faq")


def _load_or_report(faq_dir: Path) -> KnowledgeBase | None:
    """Load the FAQ; on problems print them to stderr and return None."""
    result = load_knowledge(faq_dir, required_topic_ids())
    if result.knowledge is None:
        _print_problems(result)
        return None
    return result.knowledge


def _print_problems(result: LoadResult) -> None:
    for problem in result.problems:
        print(problem, file=sys.stderr)
    count = len(result.problems)
    print(f"{count} problem{'s' if count != 1 else ''} found; nothing was changed.", file=sys.stderr)


def cmd_check(args: argparse.Namespace) -> int:
    """Validate the FAQ folder: every problem as file:line, or a one-line summary."""
    faq_dir = _faq_dir(args.dir)
    result = load_knowledge(faq_dir, required_topic_ids())
    if result.knowledge is None:
        _print_problems(result)
        return EXIT_PROBLEMS
    kb = result.knowledge
    print(
        f"OK: {len(kb.entries)} entries, {kb.phrasing_count} phrasings, "
        f"{len(kb.categories)} categories in {faq_dir}"
    )
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    """List the FAQ's entries, as text or as a JSON array."""
    kb = _load_or_report(_faq_dir(args.dir))
    if kb is None:
        return EXIT_PROBLEMS
    if args.json:
        rows = [{"id": e.id, "category": e.category, "question": e.question} for e in kb.entries]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    for category in kb.categories:
        print(f"{category}:")
        for entry in kb.in_category(category):
            print(f"  {entry.id:32} {entry.question}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="azabot", description="A Telegram bot answering questions about azathioprine."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = sub.add_parser("check", help="validate the FAQ files and print every problem")
    check.add_argument("dir", nargs="?", help="FAQ folder (default: FAQ_DIR or ./faq)")
    check.set_defaults(func=cmd_check)

    list_ = sub.add_parser("list", help="list the FAQ entries")
    list_.add_argument("--json", action="store_true", help="print a JSON array")
    list_.add_argument("--dir", help="FAQ folder (default: FAQ_DIR or ./faq)")
    list_.set_defaults(func=cmd_list)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``azabot`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except SettingsError as exc:
        print(f"Configuration problem: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
