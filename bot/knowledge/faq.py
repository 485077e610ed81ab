"""The FAQ as data: schema, loading from ``faq/*.yaml`` and validation with file:line problems.

A YAML file's top-level key says what it holds:

- ``entries:``   questions and answers (one file per category),
- ``safety:``    the warning-signs reminder and the urgent advice,
- ``synonyms:``  patients' words and misspellings mapped to the FAQ's words (plus ``ignore:``),
- ``smalltalk:`` friendly replies to greetings, thanks, emoji and abuse,
- ``about:``     questions about the bot itself (see :mod:`bot.knowledge.about`),
- ``signs:``     the danger signs, their levels and advice (see :mod:`bot.knowledge.signs`),
- ``services:``  phone numbers and services (emergency, urgent line, crisis line), which any
  text refers to as ``{emergency_number}`` (see :mod:`bot.knowledge.services`).

:func:`load_knowledge` validates everything and returns either a complete :class:`KnowledgeBase`
or the full list of problems; it never returns a half-valid FAQ.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bot.knowledge.about import REVIEW_FACTS, AboutItem, check_about, review_facts, with_review_facts
from bot.knowledge.checks import (
    WORD_LISTS,
    FileChecker,
    check_entry,
    check_safety,
    check_services,
    check_smalltalk,
    check_synonyms,
)
from bot.knowledge.schema import (
    SIGN_BLOCKS,
    TOP_LEVEL_KEYS,
    Entry,
    KnowledgeBase,
    LoadResult,
    SafetyText,
    SmallTalk,
    Vocabulary,
    fold_phrase,
)
from bot.knowledge.signs import SignBook, check_signs
from bot.knowledge.yamlsource import LineDict, LineList, Problem, parse_yaml

#: How an FAQ file's name ends.
FAQ_SUFFIXES = (".yaml", ".yml")


def is_faq_file_name(name: str) -> bool:
    """Whether a file called ``name`` directly in ``FAQ_DIR`` is part of the FAQ.

    The one rule that the loader, the upload check, ``/export``, the backups and the file
    watcher share, so they can never disagree about which files make the FAQ: a name ending in
    ``.yaml`` or ``.yml`` (spaces and non-ASCII letters included), except a hidden one (a leading
    dot: editors' swap files, the installer's temporary files, the backups folder).
    """
    return name.endswith(FAQ_SUFFIXES) and not name.startswith(".")


def faq_files(faq_dir: Path) -> list[Path]:
    """The FAQ files in ``faq_dir`` (regular files whose name passes :func:`is_faq_file_name`), sorted."""
    if not faq_dir.is_dir():
        return []
    return sorted(p for p in faq_dir.iterdir() if is_faq_file_name(p.name) and p.is_file())


def load_knowledge(faq_dir: Path, required_ids: Iterable[str] = ()) -> LoadResult:
    """Load and validate every FAQ file in ``faq_dir`` (see :func:`faq_files`).

    Every problem found is reported (not just the first). ``required_ids`` names entry ids that
    must exist (the project's required topics).
    """
    files = faq_files(faq_dir)
    problems: list[Problem] = []
    unreadable: list[Problem] = []  # YAML that cannot be parsed: reported first, on its own
    if not files:
        return LoadResult(None, [_no_files(faq_dir)], files)

    entries: list[Entry] = []
    entry_sites: dict[str, tuple[str, int]] = {}
    phrasing_sites: dict[str, tuple[str, str, int]] = {}
    related_refs: list[tuple[str, int, str, str]] = []
    safety: SafetyText | None = None
    safety_site: tuple[str, int] | None = None
    vocabulary: Vocabulary | None = None
    signs: SignBook | None = None
    signs_file: str | None = None
    smalltalk: list[SmallTalk] = []
    about: list[AboutItem] = []

    parsed: list[tuple[str, LineDict]] = []
    for path in files:
        name = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            unreadable.append(Problem(name, 1, "the file is not UTF-8 text"))
            continue
        except OSError as exc:
            unreadable.append(Problem(name, 1, f"cannot read the file: {exc.strerror}"))
            continue
        data, yaml_problems = parse_yaml(text, name)
        unreadable.extend(yaml_problems)
        if yaml_problems:
            continue
        if not isinstance(data, LineDict) or not any(key in data for key in TOP_LEVEL_KEYS):
            keys = ", ".join(f"{k}:" for k in TOP_LEVEL_KEYS)
            problems.append(Problem(name, 1, "the file must start with one of: " + keys))
            continue
        parsed.append((name, data))
    # Services first: every other text may refer to them.
    services = check_services(faq_dir, parsed, problems)

    for name, data in parsed:
        checker = FileChecker(name, services)
        for key in sorted(set(data) - {*TOP_LEVEL_KEYS, *WORD_LISTS, *SIGN_BLOCKS}):
            checker.add(data.line_of(key), f"unknown top-level key '{key}'")

        if "entries" in data:
            raw_entries = data["entries"]
            if not isinstance(raw_entries, list) or not raw_entries:
                checker.add(data.line_of("entries"), "'entries' must be a list of entries")
                raw_entries = []
            for index, raw in enumerate(raw_entries):
                line = raw_entries.line_of(index) if isinstance(raw_entries, LineList) else 1
                entry, phrasings = check_entry(checker, raw, line)
                entry_id = raw.get("id") if isinstance(raw, dict) else None
                if isinstance(entry_id, str):
                    id_line = raw.line_of("id") if isinstance(raw, LineDict) else line
                    if entry_id in entry_sites:
                        other_file, other_line = entry_sites[entry_id]
                        checker.add(
                            id_line,
                            f"duplicate id '{entry_id}' (also at {other_file}:{other_line})",
                        )
                    else:
                        entry_sites[entry_id] = (name, id_line)
                    question = raw.get("question") if isinstance(raw, dict) else None
                    texts = list(phrasings)
                    if isinstance(question, str):
                        texts.append((question, raw.line_of("question")))
                    for text_, text_line in texts:
                        folded = fold_phrase(text_)
                        other = phrasing_sites.get(folded)
                        if other and other[0] != entry_id:
                            checker.add(
                                text_line,
                                f"entry '{entry_id}': the phrasing '{text_}' is also used by "
                                f"entry '{other[0]}' ({other[1]}:{other[2]}); keep it in one entry",
                            )
                        elif not other:
                            phrasing_sites[folded] = (entry_id, name, text_line)
                if entry is not None:
                    entries.append(entry)
                    for ref in entry.related:
                        related_refs.append((name, raw.line_of("related"), entry.id, ref))

        if "safety" in data:
            if safety_site is not None:
                checker.add(
                    data.line_of("safety"),
                    f"'safety' is already defined in {safety_site[0]}:{safety_site[1]}",
                )
            else:
                safety_site = (name, data.line_of("safety"))
                safety = check_safety(checker, data["safety"], data.line_of("safety"))
        if "synonyms" in data:
            if vocabulary is not None:
                checker.add(data.line_of("synonyms"), "'synonyms' is defined in two files")
            else:
                vocabulary = check_synonyms(checker, data)
        if "signs" in data:
            if signs_file is not None:
                checker.add(data.line_of("signs"), f"'signs' is already defined in {signs_file}")
            else:
                signs_file = name
                signs = check_signs(checker, data)
        if "smalltalk" in data:
            smalltalk.extend(check_smalltalk(checker, data["smalltalk"], data.line_of("smalltalk")))
        if "about" in data:
            # About answers may quote the entries' review facts, filled once all entries are read.
            quoted = {name: "{" + name + "}" for name in REVIEW_FACTS}
            about_checker = FileChecker(name, {**services, **quoted})
            about.extend(check_about(about_checker, data["about"], data.line_of("about")))
            checker.problems.extend(about_checker.problems)
        problems.extend(checker.problems)

    if unreadable:
        # The other checks would list what the unreadable file holds (its entries, the services its
        # texts refer to) as missing, burying the one real problem under knock-on ones.
        return LoadResult(None, sorted(set(unreadable)), files, len(unreadable))
    for file, line, entry_id, ref in related_refs:
        if ref not in entry_sites:
            problems.append(Problem(file, line, f"entry '{entry_id}': related id '{ref}' does not exist"))
        elif ref == entry_id:
            problems.append(Problem(file, line, f"entry '{entry_id}': an entry cannot be related to itself"))
    for entry_id in required_ids:
        if entry_id not in entry_sites:
            problems.append(
                Problem(
                    str(faq_dir),
                    0,
                    f"the entry '{entry_id}' is missing: every FAQ must have it (the required topics are "
                    "listed in faq/README.md); put it back or restore the file from a backup",
                )
            )
    if safety is None and safety_site is None:
        problems.append(Problem(str(faq_dir), 0, "no file defines 'safety:' (the safety reminder)"))
    if signs_file is None:
        problems.append(
            Problem(str(faq_dir), 0, "no file defines 'signs:' (the danger signs, faq/signs.yaml)")
        )
    if not entries and not problems:
        problems.append(Problem(str(faq_dir), 0, "the FAQ has no entries"))

    if problems or safety is None or signs is None:
        return LoadResult(None, sorted(set(problems)), files)
    knowledge = KnowledgeBase(
        entries=tuple(entries),
        safety=safety,
        signs=signs,
        vocabulary=vocabulary or Vocabulary(),
        smalltalk=tuple(smalltalk),
        about=with_review_facts(about, review_facts(entries)),
        services=services,
    )
    return LoadResult(knowledge, [], files)


def _no_files(faq_dir: Path) -> Problem:
    """Where the bot looked and how to point it elsewhere: usually it was started in another folder."""
    where = faq_dir.resolve()
    state = "does not exist" if not where.exists() else "has no .yaml files"
    return Problem(
        str(faq_dir),
        0,
        f"no FAQ found: the folder {where} {state}. Start azabot in the folder that holds faq/ "
        "(and .env), or set FAQ_DIR in .env or the environment to the FAQ folder's path",
    )


def required_topic_ids() -> tuple[str, ...]:
    """The topic ids the project's FAQ must contain (the project's own copy of the list)."""
    path = Path(__file__).with_name("required_topics.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))
