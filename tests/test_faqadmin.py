"""FAQ changes without Telegram: file names, what changed, checking a candidate, backups and rollback."""

from __future__ import annotations

import datetime as dtm
from pathlib import Path

import pytest

from bot.admin.faq_changes import (
    BACKUP_DIRNAME,
    FaqFileError,
    check_candidate,
    check_name,
    diff_knowledge,
    install,
    latest_backup,
    restore,
)
from bot.knowledge.faq import load_knowledge
from bot.knowledge.schema import KnowledgeBase
from tests.faqfactory import entry_yaml, write_faq

NOW = dtm.datetime(2026, 11, 27, 10, 30, tzinfo=dtm.UTC)


def load(folder: Path) -> KnowledgeBase:
    result = load_knowledge(folder)
    assert result.knowledge is not None, result.problems
    return result.knowledge


@pytest.mark.parametrize("name", ["basics.yaml", "side-effects.yml", "faq_2.yaml"])
def test_bare_yaml_names_are_accepted(name: str) -> None:
    assert check_name(name) == name


@pytest.mark.parametrize(
    "name",
    [
        "../basics.yaml",
        "sub/basics.yaml",
        "/etc/basics.yaml",
        "..\\basics.yaml",
        ".hidden.yaml",
        "basics.txt",
        "basics.YAML",
        "",
        "a..yaml",
    ],
)
def test_paths_and_other_names_are_refused(name: str) -> None:
    with pytest.raises(FaqFileError):
        check_name(name)


def test_diff_names_added_changed_and_removed_entries(tmp_path: Path) -> None:
    old = load(write_faq(tmp_path / "old", entry_yaml("keep"), entry_yaml("edit"), entry_yaml("drop")))
    new = load(
        write_faq(
            tmp_path / "new", entry_yaml("new-one"), entry_yaml("keep"), entry_yaml("edit", answer="Changed.")
        )
    )
    change = diff_knowledge(old, new)
    assert (change.added, change.changed, change.removed) == (("new-one",), ("edit",), ("drop",))
    assert change.lines() == ["Added (1): new-one", "Changed (1): edit", "Removed (1): drop"]


def test_moving_an_entry_is_not_a_change(tmp_path: Path) -> None:
    old = load(write_faq(tmp_path / "old", entry_yaml("a"), entry_yaml("b")))
    new = load(write_faq(tmp_path / "new", entry_yaml("b"), entry_yaml("a")))
    assert diff_knowledge(old, new).empty


def test_candidate_is_checked_in_a_copy_and_problems_name_the_real_folder(tmp_path: Path) -> None:
    folder = write_faq(tmp_path / "faq", entry_yaml("a"))
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    broken = ("entries:\n" + entry_yaml("a", extra="colour: blue")).encode()
    candidate = check_candidate(folder, "basics.yaml", broken, load_knowledge, load(folder))
    assert not candidate.ok
    assert any(str(p).startswith(f"{folder}/basics.yaml:") and "colour" in str(p) for p in candidate.problems)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_install_keeps_a_backup_and_restore_puts_it_back(tmp_path: Path) -> None:
    folder = write_faq(tmp_path / "faq", entry_yaml("a"))
    original = (folder / "basics.yaml").read_bytes()
    new = ("entries:\n" + entry_yaml("a", answer="New answer.")).encode()
    install(folder, "basics.yaml", new, NOW)
    assert (folder / "basics.yaml").read_bytes() == new
    backup = latest_backup(folder)
    assert backup is not None and backup.content == original and backup.taken_at == NOW
    restore(folder, backup)
    assert (folder / "basics.yaml").read_bytes() == original
    assert latest_backup(folder) is None
    assert sorted(p.name for p in folder.iterdir()) == [
        BACKUP_DIRNAME,
        "basics.yaml",
        "safety-text.yaml",
        "services.yaml",
        "signs.yaml",
    ]


def test_rollback_goes_back_one_install_at_a_time(tmp_path: Path) -> None:
    folder = write_faq(tmp_path / "faq", entry_yaml("a"))
    versions = [(folder / "basics.yaml").read_bytes()]
    for n in range(2):
        versions.append(("entries:\n" + entry_yaml("a", answer=f"Version {n}.")).encode())
        install(folder, "basics.yaml", versions[-1], NOW + dtm.timedelta(seconds=n))
    for expected in reversed(versions[:-1]):
        backup = latest_backup(folder)
        assert backup is not None
        restore(folder, backup)
        assert (folder / "basics.yaml").read_bytes() == expected


def test_rolling_back_a_new_file_removes_it(tmp_path: Path) -> None:
    folder = write_faq(tmp_path / "faq", entry_yaml("a"))
    install(folder, "more.yaml", ("entries:\n" + entry_yaml("b")).encode(), NOW)
    backup = latest_backup(folder)
    assert backup is not None and backup.name == "more.yaml" and backup.content is None
    restore(folder, backup)
    assert not (folder / "more.yaml").exists()
