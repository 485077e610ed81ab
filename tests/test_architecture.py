"""The house plan: folders by capability, each package's imports as its docstring declares them.

Each domain package's ``__init__`` docstring says "May import: ..."; these tests read that line
and hold every module to it, so the rule and its check cannot drift apart.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import bot

BOT = Path(bot.__file__).parent
DOMAIN = ("knowledge", "matching", "safety", "presentation", "conversation", "reminders", "admin", "storage")


def _module_name(path: Path) -> str:
    parts = path.relative_to(BOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth of the file (a function's late import counts)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in BOT.rglob("*.py")}
    return {
        name: {i for i in _imports(path) if i in modules or not i.startswith("bot")}
        for name, path in modules.items()
    }


def _reachable(start: str, graph: dict[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in graph.get(todo.pop(), set()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _allowed(package: str) -> set[str]:
    doc = ast.get_docstring(ast.parse((BOT / package / "__init__.py").read_text(encoding="utf-8"))) or ""
    line = re.search(r"May import: (.*?)\.", doc)
    assert line is not None, f"bot/{package}/__init__.py does not say what it may import"
    named = line.group(1)
    return set() if named.startswith("nothing") else {n.strip() for n in named.split(",")}


@pytest.mark.parametrize("package", DOMAIN)
def test_no_domain_module_imports_telegram_directly_or_through_another(package: str) -> None:
    graph = _graph()
    for module in (m for m in graph if m == f"bot.{package}" or m.startswith(f"bot.{package}.")):
        reached = _reachable(module, graph)
        telegram = sorted(m for m in reached if m.split(".")[0] == "telegram" or m.startswith("bot.telegram"))
        assert not telegram, f"{module} reaches {telegram}"


@pytest.mark.parametrize("package", DOMAIN)
def test_a_domain_package_imports_only_what_its_docstring_allows(package: str) -> None:
    allowed = _allowed(package) | {package}
    for path in (BOT / package).rglob("*.py"):
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] == "bot" and len(parts) > 1:
                assert parts[1] in allowed, f"{path.relative_to(BOT.parent)} imports {name}"


def test_the_declared_imports_have_no_cycle_between_packages() -> None:
    declared = {p: _allowed(p) & set(DOMAIN) for p in DOMAIN}
    for package in DOMAIN:
        seen: set[str] = set()
        todo = list(declared[package])
        while todo:
            nxt = todo.pop()
            assert nxt != package, f"{package} reaches itself through {sorted(seen)}"
            if nxt not in seen:
                seen.add(nxt)
                todo.extend(declared[nxt])
