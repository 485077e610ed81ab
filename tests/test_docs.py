"""The operators' documents point at things that exist: tests named as evidence in the hazard log,
and every setting the bot reads documented in the README and .env.example."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def test_every_test_named_in_the_hazard_log_exists() -> None:
    log = (ROOT / "docs" / "clinical-safety.md").read_text()
    named = set(re.findall(r"\b(test_[a-z0-9_]+)\b", log)) - {
        name.removesuffix(".py") for name in re.findall(r"tests/(test_[a-z0-9_]+\.py)", log)
    }
    defined = {
        name
        for path in (ROOT / "tests").glob("test_*.py")
        for name in re.findall(r"^(?:async )?def (test_[a-z0-9_]+)", path.read_text(), re.MULTILINE)
    }
    files = set(re.findall(r"tests/(test_[a-z0-9_]+\.py)", log))
    assert named and named - defined == set()
    assert {name for name in files if not (ROOT / "tests" / name).is_file()} == set()


def test_every_setting_is_documented_in_the_readme_and_env_example() -> None:
    source = (ROOT / "bot" / "config.py").read_text()
    settings = set(re.findall(r'get\("([A-Z_]+)"', source)) | set(re.findall(r'path\("([A-Z_]+)"', source))
    settings |= set(re.findall(r'_parse_bool\("([A-Z_]+)"', source)) | {"ADMIN_IDS"}
    readme = (ROOT / "README.md").read_text()
    example = (ROOT / ".env.example").read_text()
    assert len(settings) >= 13
    assert {name for name in settings if f"| `{name}` |" not in readme} == set()
    assert {name for name in settings if f"\n{name}=" not in example} == set()
