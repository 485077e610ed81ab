"""The ``azabot`` command line: check and list the FAQ, ask a question, chat, evaluate, run the bot,
and for operators the same ``stats`` and ``unanswered`` reports admins get in Telegram.

``run`` and ``start`` import python-telegram-bot only when they need it.
"""

from __future__ import annotations

import argparse
import datetime as dtm
import json
import logging
import os
import sqlite3
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.admin.insights import UNANSWERED_WINDOW_DAYS, group_unanswered, stats_reply, unanswered_reply
from bot.cli_ops import add_parsers
from bot.config import Settings, SettingsError, load_settings
from bot.conversation.answers import respond
from bot.knowledge.faq import load_knowledge, required_topic_ids
from bot.knowledge.governance import Reviewed, overdue_warnings
from bot.knowledge.schema import KnowledgeBase, LoadResult
from bot.matching.evaluation import evaluate_matcher, load_examples
from bot.matching.matcher import Matcher
from bot.presentation.reply import Reply, render_text
from bot.storage.dblock import DatabaseBusy
from bot.storage.schema import StoreError
from bot.storage.store import open_readonly, read_stats, read_unanswered
from bot.terminal import chat_loop as chat_loop  # `azabot chat`; re-exported for the tests

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
    if result.unreadable:
        print(
            "Fix the file(s) that cannot be read first: the other checks run once every file can be read.",
            file=sys.stderr,
        )
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
    # Past-due reviews do not stop the bot (the text was right when last checked), but an
    # operator must see them; --today lets tests and dry runs stand on any day.
    today: dtm.date = args.today or dtm.date.today()
    reviewed = [Reviewed(e.file, e.line, f"entry '{e.id}'", e.review) for e in kb.entries]
    reviewed += [Reviewed(s.file, s.line, f"sign '{s.id}'", s.review) for s in kb.signs.signs if s.review]
    for warning in overdue_warnings(reviewed, today):
        print(warning, file=sys.stderr)
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


def _reply_json(question: str, reply: Reply) -> str:
    return json.dumps(
        {
            "question": question,
            "decision": reply.decision,
            "id": reply.entry_id if reply.decision == "answer" else None,
            "score": round(reply.score, 1),
            "suggestions": list(reply.suggestions),
            "urgent": reply.urgent,
            "urgency": reply.urgency,
            "reply": render_text(reply),
        },
        ensure_ascii=False,
    )


def cmd_ask(args: argparse.Namespace) -> int:
    """Print what a user would get for a question (or, with --json and no question, for stdin)."""
    kb = _load_or_report(_faq_dir(args.dir))
    if kb is None:
        return EXIT_PROBLEMS
    matcher = Matcher(kb)
    if args.question:
        question = " ".join(args.question)
        reply = respond(matcher, question)
        print(_reply_json(question, reply) if args.json else render_text(reply))
        return EXIT_OK
    if not args.json:
        print('Give a question, e.g. azabot ask "can i drink on imuran?"', file=sys.stderr)
        return EXIT_USAGE
    for line in sys.stdin:
        question = line.rstrip("\n")
        print(_reply_json(question, respond(matcher, question)), flush=True)
    return EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    """Print the accuracy figures for a labelled JSON Lines file, and the misses."""
    kb = _load_or_report(_faq_dir(args.dir))
    if kb is None:
        return EXIT_PROBLEMS
    try:
        examples = load_examples(Path(args.file))
    except (OSError, ValueError) as exc:
        print(f"Cannot read the evaluation file: {exc}", file=sys.stderr)
        return EXIT_USAGE
    report = evaluate_matcher(examples, Matcher(kb))
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
        return EXIT_OK
    print("\n".join(report.summary_lines()))
    if report.misses and not args.quiet:
        print(f"\nmisses ({len(report.misses)}):")
        print("\n".join(f"  {miss}" for miss in report.misses))
    return EXIT_OK


def _database(arg: str | None) -> Path:
    return Path(arg) if arg else load_settings().database_path


def _print_from_database(
    args: argparse.Namespace, build: Callable[[sqlite3.Connection, dtm.datetime], Reply]
) -> int:
    """Open the database read-only, build a reply from it, print it as plain text."""
    try:
        db = open_readonly(_database(args.db))
    except StoreError as exc:
        print(f"Cannot read the database: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    try:
        reply = build(db, dtm.datetime.now(dtm.UTC))
    finally:
        db.close()
    print(render_text(reply))
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    """Print what /stats shows, from the database at DATABASE_PATH."""
    return _print_from_database(args, lambda db, now: stats_reply(read_stats(db, now)))


def cmd_unanswered(args: argparse.Namespace) -> int:
    """Print what /unanswered shows, from the database at DATABASE_PATH."""

    def build(db: sqlite3.Connection, now: dtm.datetime) -> Reply:
        since = now - dtm.timedelta(days=UNANSWERED_WINDOW_DAYS)
        return unanswered_reply(group_unanswered(read_unanswered(db, since)))

    return _print_from_database(args, build)


NO_TOKEN_HELP = """\
No Telegram bot token is configured, so the bot cannot connect to Telegram.

  1. In Telegram, open @BotFather (https://t.me/BotFather), send /newbot and follow the steps;
     it gives you a token such as 123456789:AAH...
  2. Put it in the .env file next to the Makefile (copy .env.example if there is none):
         TELEGRAM_BOT_TOKEN=123456789:AAH...
  3. Run `azabot run` (or `make run`) again.

To try the bot without a token, run `azabot chat`: the same answers, in this terminal."""
NO_TOKEN_NOTICE = "No TELEGRAM_BOT_TOKEN configured: starting the terminal chat instead (see .env.example)."


def cmd_run(args: argparse.Namespace) -> int:
    """Run the Telegram bot until Ctrl-C or SIGTERM (long polling, or a webhook with WEBHOOK_URL)."""
    settings = load_settings()
    if not settings.telegram_bot_token:
        print(NO_TOKEN_HELP, file=sys.stderr)
        return EXIT_USAGE
    from bot.logging_setup import protect_output, setup_logging  # Telegram is imported only when needed
    from bot.telegram.app import FaqError, build_application, run
    from bot.telegram.startup import TokenRejected

    # The webhook secret authenticates Telegram to us; PTB logs it at DEBUG in setWebhook's parameters.
    secrets = [settings.telegram_bot_token.value, settings.webhook_secret.value]
    protect_output(secrets)  # before logging is set up, so its handler writes through the redaction
    setup_logging(settings.log_level, secrets)
    # Which files it uses, absolute: the first thing to check when the bot was started elsewhere.
    logging.getLogger("bot").info("FAQ folder %s, database %s", settings.faq_dir, settings.database_path)
    try:
        run(settings, build_application(settings))
    except (FaqError, TokenRejected) as exc:
        logging.getLogger("bot").critical("%s", exc)
        return EXIT_PROBLEMS
    except (StoreError, DatabaseBusy) as exc:  # a newer schema, or a restore under way
        logging.getLogger("bot").critical("Cannot use the database: %s", exc)
        return EXIT_PROBLEMS
    except RuntimeError as exc:
        if "webhooks" in str(exc):  # run_webhook without python-telegram-bot[webhooks]
            print(f"Webhook mode needs: pip install 'python-telegram-bot[webhooks]' ({exc})", file=sys.stderr)
            return EXIT_USAGE
        raise
    return EXIT_OK


def cmd_chat(args: argparse.Namespace) -> int:
    """Chat with the bot in the terminal; no token needed. Reminders go in the bot's database."""
    kb = _load_or_report(_faq_dir(getattr(args, "dir", None)))
    if kb is None:
        return EXIT_PROBLEMS
    try:
        settings = load_settings()
        database, zone = (
            Path(args.db) if getattr(args, "db", None) else settings.database_path,
            settings.default_timezone,
        )
    except SettingsError as exc:  # answers still work; only reminders need the settings
        print(f"Reminders are off in this chat: {exc}", file=sys.stderr)
        database, zone = None, Settings().default_timezone
    try:
        chat_loop(kb, Matcher(kb), sys.stdin, sys.stdout, database=database, default_zone=zone)
    except KeyboardInterrupt:
        print(file=sys.stdout)
    return EXIT_OK


def cmd_start(args: argparse.Namespace) -> int:
    """`make run`: the Telegram bot when a token is configured, otherwise the terminal chat."""
    if load_settings().telegram_bot_token:
        return cmd_run(args)
    print(NO_TOKEN_NOTICE, file=sys.stderr)
    return cmd_chat(args)


def _iso_date(text: str) -> dtm.date:
    try:
        return dtm.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-12-08") from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="azabot", description="A Telegram bot answering questions about azathioprine."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = sub.add_parser("check", help="validate the FAQ files and print every problem")
    check.add_argument("dir", nargs="?", help="FAQ folder (default: FAQ_DIR or ./faq)")
    check.add_argument(
        "--today",
        type=_iso_date,
        help="compare review dates with this day, YYYY-MM-DD (default: today)",
    )
    check.set_defaults(func=cmd_check)

    list_ = sub.add_parser("list", help="list the FAQ entries")
    list_.add_argument("--json", action="store_true", help="print a JSON array")
    list_.add_argument("--dir", help="FAQ folder (default: FAQ_DIR or ./faq)")
    list_.set_defaults(func=cmd_list)

    ask = sub.add_parser("ask", help="print the reply to a question (plain text or JSON)")
    ask.add_argument("question", nargs="*", help="the question; with --json and none, read stdin")
    ask.add_argument("--json", action="store_true", help="one JSON object per question")
    ask.add_argument("--dir", help="FAQ folder (default: FAQ_DIR or ./faq)")
    ask.set_defaults(func=cmd_ask)

    eval_ = sub.add_parser("eval", help="accuracy figures on a labelled JSON Lines file")
    eval_.add_argument("file", help="e.g. tests/data/eval-dev.jsonl")
    eval_.add_argument("--json", action="store_true", help="print the figures as JSON")
    eval_.add_argument("--quiet", action="store_true", help="figures only, no list of misses")
    eval_.add_argument("--dir", help="FAQ folder (default: FAQ_DIR or ./faq)")
    eval_.set_defaults(func=cmd_eval)

    run = sub.add_parser("run", help="run the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    run.set_defaults(func=cmd_run)

    chat = sub.add_parser("chat", help="chat with the bot in this terminal (no token needed)")
    chat.add_argument("--dir", help="FAQ folder (default: FAQ_DIR or ./faq)")
    chat.add_argument("--db", help="database file for reminders (default: DATABASE_PATH)")
    chat.set_defaults(func=cmd_chat)

    stats = sub.add_parser("stats", help="print the /stats report from the database")
    stats.add_argument("--db", help="database file (default: DATABASE_PATH)")
    stats.set_defaults(func=cmd_stats)

    unanswered = sub.add_parser("unanswered", help="print the /unanswered report from the database")
    unanswered.add_argument("--db", help="database file (default: DATABASE_PATH)")
    unanswered.set_defaults(func=cmd_unanswered)

    start = sub.add_parser("start", help="`run` when a token is configured, otherwise `chat`")
    start.set_defaults(func=cmd_start)

    add_parsers(sub)  # backup, restore, health
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``azabot`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
        sys.stdout.flush()  # here, so a closed pipe is caught below and not at exit
    except SettingsError as exc:
        print(f"Configuration problem: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # `azabot list | head`: the reader has what it wanted. Python's documented recipe: point
        # stdout at /dev/null so the flush at exit does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PROBLEMS
    except Exception:
        # Printed here rather than by Python, so it passes the redaction `run` installs over
        # stderr: an exception from the HTTP stack can carry the request URL, token included.
        print(f"azabot stopped on an unexpected error:\n{traceback.format_exc()}", file=sys.stderr)
        return EXIT_PROBLEMS
    return code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
