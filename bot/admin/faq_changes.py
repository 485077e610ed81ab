"""Changing the FAQ while the bot runs, free of Telegram: what changed, checking a file, backups.

The rules, shared by ``/reload``, the automatic reload, uploads over Telegram and ``/rollback``:

* A change is checked against the **whole** FAQ as it would be afterwards: an uploaded file is
  written into a temporary copy of the folder and that copy is loaded and validated exactly like
  the live folder (so a duplicate id with another file, or a removed required topic, is caught).
* Only a complete, valid FAQ is ever served; otherwise the old one stays and the problems are
  reported as ``file:line: message``.
* A file is installed atomically (written to a temporary file in the same folder, flushed, then
  ``os.replace``), after the version it replaces is saved, just as atomically, to
  :data:`BACKUP_DIRNAME`. If writing the new file fails (a full disk), that backup is removed
  again, so a failed install leaves the folder exactly as it was. Which files are FAQ files is
  decided by :func:`bot.knowledge.faq.is_faq_file_name` alone (hidden names never are), so backups
  and temporary files are never loaded, and the check, the loader and ``/export`` see the same
  files.
* A process killed during an install can leave a hidden temporary file, or a backup of a file
  that was never replaced. :func:`clean_stale` removes the first at start, and
  :func:`latest_backup` skips (and start-up removes) a backup identical to the file as it is:
  rolling back to it would change nothing.
"""

from __future__ import annotations

import datetime as dtm
import os
import shutil
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.knowledge.faq import faq_files, is_faq_file_name
from bot.knowledge.schema import Entry, KnowledgeBase, LoadResult
from bot.knowledge.yamlsource import MAX_FILE_BYTES, Problem, parse_yaml

#: Backups of replaced files, inside ``FAQ_DIR`` (hidden, and not a ``*.yaml`` the loader reads).
BACKUP_DIRNAME = ".backups"
#: The longest file name accepted from an upload (in characters).
MAX_NAME_CHARS = 100
#: Marks a backup of a file that did not exist before it was installed (rollback deletes it).
_ABSENT = ".absent"
_STAMP = "%Y%m%dT%H%M%S%fZ"

Loader = Callable[[Path], LoadResult]


class FaqFileError(ValueError):
    """An uploaded file is refused before it is even parsed (name, size, encoding)."""


@dataclass(frozen=True)
class FaqChange:
    """What a new FAQ changes compared with the one being served."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    other: tuple[str, ...] = ()  # "safety text", "synonyms", "small talk"

    @property
    def empty(self) -> bool:
        """True when the new FAQ says exactly what the old one does."""
        return not (self.added or self.changed or self.removed or self.other)

    def lines(self) -> list[str]:
        """One line per kind of change, for a reply."""
        if self.empty:
            return ["No entries changed."]
        result = []
        for label, ids in (("Added", self.added), ("Changed", self.changed), ("Removed", self.removed)):
            if ids:
                result.append(f"{label} ({len(ids)}): {', '.join(ids)}")
        if self.other:
            result.append("Also changed: " + ", ".join(self.other))
        return result


def _content(entry: Entry) -> Entry:
    # Where an entry sits is not a change: adding one above it moves its line.
    return replace(entry, file="", line=0)


def diff_knowledge(old: KnowledgeBase, new: KnowledgeBase) -> FaqChange:
    """Entries added, changed and removed (by id), and the other parts that changed."""
    old_by_id = {e.id: e for e in old.entries}
    new_by_id = {e.id: e for e in new.entries}
    added = tuple(i for i in new_by_id if i not in old_by_id)
    removed = tuple(i for i in old_by_id if i not in new_by_id)
    changed = tuple(
        i for i in new_by_id if i in old_by_id and _content(old_by_id[i]) != _content(new_by_id[i])
    )
    other = []
    if old.safety != new.safety:
        other.append("safety text")
    if old.vocabulary != new.vocabulary:
        other.append("synonyms")
    if old.smalltalk != new.smalltalk:
        other.append("small talk")
    if [replace(i, file="", line=0) for i in old.about] != [replace(i, file="", line=0) for i in new.about]:
        other.append("about the bot")
    return FaqChange(added, changed, removed, tuple(other))


def check_name(name: str) -> str:
    """``name`` if it is a bare FAQ file name; otherwise :class:`FaqFileError` saying why."""
    if "/" in name or "\\" in name or ".." in name or name != Path(name).name:
        raise FaqFileError("The file name must be a bare name like basics.yaml, without folders or '..'.")
    if not is_faq_file_name(name):
        raise FaqFileError(
            "The file name must end in .yaml or .yml and must not start with a dot, "
            "for example side-effects.yaml."
        )
    if len(name) > MAX_NAME_CHARS or any(unicodedata.category(c) in ("Cc", "Cf") for c in name):
        raise FaqFileError(
            f"The file name must be at most {MAX_NAME_CHARS} characters, without control characters, "
            "for example side-effects.yaml."
        )
    return name


def check_size(size: int | None) -> None:
    """Refuse a file over the FAQ size limit (before downloading it, when the size is known)."""
    if size is not None and size > MAX_FILE_BYTES:
        raise FaqFileError(
            f"The file is {size // 1024} KB; an FAQ file may be at most {MAX_FILE_BYTES // 1024} KB."
        )


@dataclass
class Candidate:
    """A proposed FAQ change (a file written or removed), checked against the whole FAQ."""

    name: str
    content: bytes | None  # None: the file is removed
    problems: list[Problem] = field(default_factory=list)
    knowledge: KnowledgeBase | None = None
    change: FaqChange = field(default_factory=FaqChange)

    @property
    def ok(self) -> bool:
        """True when the whole FAQ would be valid with this change."""
        return self.knowledge is not None and not self.problems


def check_candidate(
    faq_dir: Path, name: str, content: bytes | None, loader: Loader, current: KnowledgeBase
) -> Candidate:
    """Check the FAQ as it would be with ``name`` replaced by ``content`` (or removed if None).

    Nothing in ``faq_dir`` is touched: the check runs on a temporary copy of its FAQ files.
    Problems name files as they are in ``faq_dir``.
    """
    candidate = Candidate(check_name(name), content)
    text = ""
    if content is not None:
        check_size(len(content))
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            raise FaqFileError("The file is not UTF-8 text; save it as UTF-8 and send it again.") from None
        # The same safe parser the loader uses, first on its own: a tag or alias bomb is refused
        # before any copy is made, with the line where it is.
        _, problems = parse_yaml(text, str(faq_dir / name))
        if problems:
            candidate.problems = problems
            return candidate
    try:
        with tempfile.TemporaryDirectory(prefix="azabot-faq-") as tmp:
            folder = Path(tmp)
            for path in faq_files(faq_dir):
                if path.name != name:
                    shutil.copyfile(path, folder / path.name)
            if content is not None:
                (folder / name).write_text(text, encoding="utf-8")
            result = loader(folder)
    except OSError as exc:  # e.g. no space for the temporary copy
        raise FaqFileError(f"I could not check it: {write_error(exc)}.") from None
    prefix = str(folder)
    # Problems name the real folder, also inside messages ("also at <file>:<line>").
    candidate.problems = [
        replace(
            p, file=p.file.replace(prefix, str(faq_dir), 1), message=p.message.replace(prefix, str(faq_dir))
        )
        for p in result.problems
    ]
    if result.knowledge is not None and not candidate.problems:
        candidate.knowledge = result.knowledge
        candidate.change = diff_knowledge(current, result.knowledge)
    return candidate


# -- writing and backups ---------------------------------------------------------------------------


def atomic_write(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` so that readers see the old file or the new one, never half.

    The temporary file is in the same folder (``os.replace`` is atomic only within a file system)
    and its name does not end in .yaml, so neither the loader nor the file watcher takes it for FAQ.
    """
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def backup_dir(faq_dir: Path) -> Path:
    """Where backups of replaced FAQ files are kept."""
    return faq_dir / BACKUP_DIRNAME


def install(faq_dir: Path, name: str, content: bytes, now: dtm.datetime) -> Path:
    """Back up the current ``name`` (or note that there was none), then write ``content`` atomically.

    Returns the backup's path. Check the content with :func:`check_candidate` first. Raises
    :class:`OSError` when a write fails (a full disk); the folder is then exactly as before: the
    backup is written atomically and removed again if the new file could not be written, so a
    failed install never leaves a backup that ``/rollback`` would find.
    """
    check_name(name)
    target = faq_dir / name
    backups = backup_dir(faq_dir)
    backups.mkdir(exist_ok=True)
    stamp = now.astimezone(dtm.UTC).strftime(_STAMP)
    if target.is_file():
        backup = backups / f"{stamp}--{name}"
        atomic_write(backup, target.read_bytes())
    else:
        backup = backups / f"{stamp}--{name}{_ABSENT}"
        atomic_write(backup, b"")
    try:
        atomic_write(target, content)
    except BaseException:
        backup.unlink(missing_ok=True)  # nothing was installed, so there is nothing to roll back
        raise
    return backup


def write_error(exc: OSError) -> str:
    """A short reason for a failed write, for admins: "No space left on device", never a path."""
    if exc.errno is not None:
        return os.strerror(exc.errno)
    return "the file could not be written"


def clean_stale(faq_dir: Path) -> int:
    """Remove the temporary files a killed install left (hidden ``*.tmp``); returns how many.

    Called at start, before anything else writes to the folder.
    """
    removed = 0
    for folder in (faq_dir, backup_dir(faq_dir)):
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if path.name.startswith(".") and path.name.endswith(".tmp") and path.is_file():
                path.unlink(missing_ok=True)
                removed += 1
    return removed


@dataclass(frozen=True)
class Backup:
    """One backup: the file it belongs to and what to restore (None: the file did not exist)."""

    path: Path
    name: str
    content: bytes | None
    taken_at: dtm.datetime


def _changes_nothing(faq_dir: Path, backup: Backup) -> bool:
    target = faq_dir / backup.name
    if backup.content is None:
        return not target.exists()
    return target.is_file() and target.read_bytes() == backup.content


def latest_backup(faq_dir: Path) -> Backup | None:
    """The most recent backup that would change something, or None when there is nothing to roll back.

    A backup identical to the file as it is now is removed on the way: restoring it would change
    nothing, and it is what a process killed between the backup and the install leaves behind.
    """
    folder = backup_dir(faq_dir)
    if not folder.is_dir():
        return None
    candidates = sorted((p for p in folder.iterdir() if "--" in p.name and p.is_file()), key=lambda p: p.name)
    for path in reversed(candidates):
        stamp, _, rest = path.name.partition("--")
        absent = rest.endswith(_ABSENT)
        name = rest.removesuffix(_ABSENT)
        if not is_faq_file_name(name) or name != Path(name).name:
            continue
        try:
            taken = dtm.datetime.strptime(stamp, _STAMP).replace(tzinfo=dtm.UTC)
        except ValueError:
            continue
        backup = Backup(path, name, None if absent else path.read_bytes(), taken)
        if _changes_nothing(faq_dir, backup):
            path.unlink(missing_ok=True)
            continue
        return backup
    return None


def restore(faq_dir: Path, backup: Backup) -> None:
    """Put ``backup`` back (atomically; or remove the file it did not exist) and drop the backup.

    Dropping it is what lets a second ``/rollback`` go one more step back.
    """
    target = faq_dir / check_name(backup.name)
    if backup.content is None:
        target.unlink(missing_ok=True)
    else:
        atomic_write(target, backup.content)
    backup.path.unlink(missing_ok=True)
