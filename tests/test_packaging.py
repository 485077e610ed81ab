"""The install the README promises: locked, hashed dependencies and a quiet, warning-free build."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

from tests.conftest import ROOT


def pinned(lock: Path) -> dict[str, str]:
    """Package name -> the text of its entry (version line and hash lines) in a pip-compile lock."""
    entries: dict[str, str] = {}
    for block in re.split(r"\n(?=[a-z0-9])", lock.read_text()):
        match = re.match(r"([a-z0-9][a-z0-9._-]*)==\S+", block)
        if match:
            entries[match.group(1)] = block
    return entries


def requirement_name(requirement: str) -> str:
    return re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_every_dependency_is_pinned_with_hashes_in_the_lock_files() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    production = pinned(ROOT / "requirements.lock")
    testing = pinned(ROOT / "requirements-test.lock")
    runtime = [requirement_name(r) for r in project["dependencies"]]
    tools = [requirement_name(r) for r in project["optional-dependencies"]["test"]]
    assert [name for name in runtime if name not in production] == []
    assert [name for name in runtime + tools if name not in testing] == []
    # The production install carries no test tool, and every entry can be checked by its hash.
    assert [name for name in tools if name in production] == []
    assert [name for name, entry in {**production, **testing}.items() if "--hash=sha256:" not in entry] == []
    # The build backend is locked too, so `pip install --no-build-isolation` fetches nothing unchecked.
    assert "setuptools" in production and "setuptools" in testing


def test_building_the_package_prints_no_warning(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "bot", source / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    # The build backend itself, as pip runs it: pip shows its warnings or not depending on its own
    # version, so they are read at the source.
    build = "import sys, setuptools.build_meta as backend; backend.build_wheel(sys.argv[1])"
    result = subprocess.run(
        [sys.executable, "-c", build, str(tmp_path)], cwd=source, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr, result.stderr
    [wheel] = tmp_path.glob("azabot-*.whl")
    listing = subprocess.run(
        [sys.executable, "-m", "zipfile", "-l", str(wheel)], capture_output=True, text=True, check=True
    ).stdout
    assert "licenses/LICENSE" in listing


def test_the_container_and_compose_files_agree_on_paths_and_health() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    service = compose["services"]["azabot"]
    mounts = dict(volume.split(":")[::-1] for volume in service["volumes"])
    database = Path(service["environment"]["DATABASE_PATH"])
    assert str(database.parent) in mounts and service["environment"]["FAQ_DIR"] in mounts
    assert f"DATABASE_PATH={database}" in dockerfile
    assert f"FAQ_DIR={service['environment']['FAQ_DIR']}" in dockerfile
    assert 'VOLUME ["/data", "/faq"]' in dockerfile
    assert 'CMD ["azabot", "health"]' in dockerfile
    assert re.search(r"^USER \d+:\d+$", dockerfile, re.MULTILINE)  # not root
