"""The admins' replies about FAQ changes, free of Telegram (rendered and escaped like any reply)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.admin.faq_changes import Backup, FaqChange
from bot.knowledge.yamlsource import Problem
from bot.presentation.reply import Button, Paragraph, Reply, Span

#: Problems listed in one reply; the rest are counted (``azabot check`` lists them all).
MAX_PROBLEMS_SHOWN = 25
#: Button actions of an upload's confirmation: ``adm:ok:<token>`` / ``adm:no:<token>``.
ADMIN_ACTION = "adm:"
INSTALL, CANCEL = f"{ADMIN_ACTION}ok:", f"{ADMIN_ACTION}no:"


def _p(*spans: Span | str) -> Paragraph:
    return tuple(Span(s) if isinstance(s, str) else s for s in spans)


def _info(*paragraphs: Paragraph, buttons: tuple[Button, ...] = ()) -> Reply:
    return Reply(tuple(paragraphs), buttons, decision="admin", medical=False)


def problems_paragraph(problems: Sequence[Problem]) -> Paragraph:
    """The problems as ``file:line: message`` lines (escaped when rendered), capped."""
    lines = [str(p) for p in problems[:MAX_PROBLEMS_SHOWN]]
    if len(problems) > MAX_PROBLEMS_SHOWN:
        lines.append(f"... and {len(problems) - MAX_PROBLEMS_SHOWN} more (run `azabot check` to see all)")
    return _p("\n".join(lines))


def change_paragraph(change: FaqChange) -> Paragraph:
    """What changed: entries added, changed, removed, and other parts."""
    return _p("\n".join(change.lines()))


def reloaded_reply(change: FaqChange, entries: int, *, automatic: bool = False) -> Reply:
    """The FAQ was valid and is now served."""
    how = "changed on disk and was reloaded" if automatic else "was reloaded"
    return _info(
        _p(Span(f"The FAQ {how}: {entries} entries.", bold=True)),
        change_paragraph(change),
    )


def reload_failed_reply(problems: Sequence[Problem], *, automatic: bool = False) -> Reply:
    """The FAQ on disk has problems; the old one is still served."""
    what = "The FAQ files changed, but" if automatic else "The FAQ was not reloaded:"
    count = len(problems)
    return _info(
        _p(Span(f"{what} {count} problem{'s' if count != 1 else ''} found.", bold=True)),
        _p("Patients still get the previous FAQ. Fix these and try again:"),
        problems_paragraph(problems),
    )


def upload_refused_reply(name: str, reason: str) -> Reply:
    """An upload refused before it was checked (name, size, encoding, download)."""
    return _info(
        _p(Span("Not installed: ", bold=True), f"{name or 'the file'}. {reason}"), _p("Nothing was changed.")
    )


def upload_problems_reply(name: str, problems: Sequence[Problem]) -> Reply:
    """An upload that would make the FAQ invalid."""
    return _info(
        _p(Span(f"Not installed: {name}", bold=True), " would leave the FAQ with these problems:"),
        problems_paragraph(problems),
        _p("Nothing was changed. Fix the file and send it again."),
    )


def upload_preview_reply(name: str, change: FaqChange, exists: bool, token: str) -> Reply:
    """A valid upload: what it would change, and the confirm / cancel buttons."""
    action = "replace" if exists else "add"
    return _info(
        _p(Span(f"{name} is valid.", bold=True), f" Installing it would {action} the file and change:"),
        change_paragraph(change),
        _p("The current version is kept as a backup; /rollback puts it back."),
        buttons=(Button("Install it", f"{INSTALL}{token}"), Button("Cancel", f"{CANCEL}{token}")),
    )


def installed_reply(name: str, change: FaqChange, entries: int) -> Reply:
    """The upload was written and the FAQ reloaded."""
    return _info(
        _p(Span(f"Installed {name}; patients now get the new FAQ ({entries} entries).", bold=True)),
        change_paragraph(change),
        _p("/rollback undoes it."),
    )


def install_failed_reply(name: str, reason: str) -> Reply:
    """Writing a checked upload failed (a full disk): nothing changed and no backup was kept."""
    return _info(
        _p(Span(f"Not installed: {name} could not be written", bold=True), f" ({reason})."),
        _p(
            "Nothing was changed: patients still get the previous FAQ, and no backup was kept, so "
            "/rollback is as it was. Free some space on the server and send the file again."
        ),
    )


def upload_expired_reply() -> Reply:
    """A confirm button whose upload is gone (already installed, cancelled, or the bot restarted)."""
    return _info(
        _p(
            "That upload is no longer waiting (installed, cancelled, or the bot restarted). "
            "Send the file again."
        )
    )


def upload_cancelled_reply(name: str) -> Reply:
    """The admin cancelled an upload."""
    return _info(_p(f"Cancelled: {name} was not installed. Nothing was changed."))


def rollback_reply(backup: Backup, change: FaqChange, entries: int) -> Reply:
    """A backup was restored."""
    what = (
        f"Removed {backup.name} (it did not exist before)"
        if backup.content is None
        else f"Restored {backup.name} as it was before {backup.taken_at:%Y-%m-%d %H:%M} UTC"
    )
    return _info(
        _p(Span(f"{what}; patients now get it ({entries} entries).", bold=True)),
        change_paragraph(change),
    )


def rollback_failed_reply(backup: Backup, reason: str) -> Reply:
    """Writing the backup back failed (a full disk): the file and the backup are as they were."""
    return _info(
        _p(Span(f"Not rolled back: {backup.name} could not be written", bold=True), f" ({reason})."),
        _p("Nothing was changed and the backup is kept. Free some space on the server and try again."),
    )


def rollback_nothing_reply() -> Reply:
    """No backup to restore."""
    return _info(_p("There is nothing to roll back: no FAQ file has been installed over Telegram."))


def rollback_problems_reply(backup: Backup, problems: Sequence[Problem]) -> Reply:
    """Restoring the backup would make the FAQ invalid (other files changed since)."""
    return _info(
        _p(Span(f"Not rolled back: restoring {backup.name} would leave these problems:", bold=True)),
        problems_paragraph(problems),
        _p("Nothing was changed."),
    )


def export_reply(count: int) -> Reply:
    """The message after /export's files."""
    return _info(
        _p(
            f"These are the {count} FAQ files. Edit one and send it back here as a file to install it: "
            "I check it first and show what would change."
        )
    )
