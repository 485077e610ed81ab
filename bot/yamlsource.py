"""Safe YAML loading that remembers line numbers, so every problem can be reported as file:line.

Only PyYAML's SafeLoader is used (no Python object tags). Anchors and aliases are refused
outright: the FAQ never needs them and they are how "billion laughs" bombs are built.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

#: Files larger than this are refused before parsing: an FAQ file is a few kilobytes.
MAX_FILE_BYTES = 512 * 1024


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the FAQ, located at a file and line."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        if self.line <= 0:  # a problem with the folder as a whole, not one line
            return f"{self.file}: {self.message}"
        return f"{self.file}:{self.line}: {self.message}"


class LineDict(dict[str, Any]):
    """A mapping that knows the line it starts on and the line of each key."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        """The line of ``key`` if present, else the mapping's own line."""
        return self.key_lines.get(key, self.line)


class LineList(list[Any]):
    """A sequence that knows the line of each item."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        """The line of the item at ``index``."""
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


class _LineLoader(yaml.SafeLoader):
    """SafeLoader whose mappings and sequences carry line numbers (1-based)."""


def _construct_mapping(loader: _LineLoader, node: MappingNode) -> Any:
    data = LineDict()
    data.line = node.start_mark.line + 1
    data.key_lines = {}
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        if key in data:
            raise _DuplicateKey(
                None, None, f"the key '{key}' appears twice in the same block", key_node.start_mark
            )
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = key_node.start_mark.line + 1


def _construct_sequence(loader: _LineLoader, node: SequenceNode) -> Any:
    data = LineList()
    data.line = node.start_mark.line + 1
    data.item_lines = [child.start_mark.line + 1 for child in node.value]
    yield data
    data.extend(loader.construct_object(child, deep=True) for child in node.value)


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def _first_alias(node: Node | None, seen: set[int]) -> Node | None:
    """Return a node reached twice (an alias), walking the composed tree without expanding it."""
    if node is None:
        return None
    if id(node) in seen:
        return node
    seen.add(id(node))
    children: list[Node] = []
    if isinstance(node, MappingNode):
        for key, value in node.value:
            children.extend((key, value))
    elif isinstance(node, SequenceNode):
        children.extend(node.value)
    for child in children:
        found = _first_alias(child, seen)
        if found is not None:
            return found
    return None


def parse_yaml(text: str, file: str) -> tuple[Any, list[Problem]]:
    """Parse one YAML document safely; return (data, problems). Data is None on any problem."""
    if len(text.encode("utf-8", errors="replace")) > MAX_FILE_BYTES:
        return None, [Problem(file, 1, f"the file is larger than {MAX_FILE_BYTES // 1024} KB; split it")]
    try:
        # Compose first (no objects built) to refuse aliases before anything can expand.
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                mark = event.start_mark
                line = mark.line + 1 if mark else 1
                return None, [Problem(file, line, "anchors and aliases (& and *) are not allowed in the FAQ")]
        loader = _LineLoader(text)
        try:
            node = loader.get_single_node()
            if node is not None and _first_alias(node, set()) is not None:
                return None, [Problem(file, 1, "anchors and aliases are not allowed in the FAQ")]
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        reason = exc.problem or "the YAML could not be read"
        if "could not determine a constructor" in str(reason):
            reason = "tags such as !!python/object are not allowed"
        hint = "" if isinstance(exc, _DuplicateKey) else " (check indentation, colons and quotes)"
        return None, [Problem(file, line, f"YAML error: {reason}{hint}")]
    except yaml.YAMLError as exc:
        return None, [Problem(file, 1, f"YAML error: {exc}")]
    return data, []
