"""Safe YAML loading that remembers line numbers, so every problem can be reported as file:line.

Only PyYAML's SafeLoader is used (no Python object tags). Anchors and aliases are refused
outright: the FAQ never needs them and they are how "billion laughs" bombs are built.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

#: Files larger than this are refused before parsing: an FAQ file is a few kilobytes.
MAX_FILE_BYTES = 512 * 1024
#: Lists and blocks nested deeper than this are refused: the FAQ needs four levels, and PyYAML
#: builds nested values recursively, so a thousand ``[`` would end in a RecursionError.
MAX_DEPTH = 20


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


#: PyYAML's wording -> what to do about it, for people who edit the FAQ and do not know YAML.
_PLAIN_YAML_ERRORS: tuple[tuple[str, str], ...] = (
    ("could not determine a constructor", "tags such as !!python/object are not allowed"),
    (
        "mapping values are not allowed",
        "a text with ': ' in it needs quotes around the whole text, or a line is indented wrongly",
    ),
    (
        "could not find expected ':'",
        "a line is missing the colon after its name (name: value), or a "
        "text goes on to the next line without quotes around it",
    ),
    ("found character '\\t'", "there is a tab: indent with spaces only"),
    (
        "that cannot start any token",
        "a text starts with a character such as @, ` or % and needs quotes around it",
    ),
    ("found unexpected end of stream", "a quote is opened and never closed"),
    ("found unknown escape character", "a backslash inside double quotes: use single quotes instead"),
    ("expected ',' or ']'", "a list in [ ] is not closed, or one of its items needs quotes"),
    ("expected ',' or '}'", "a { } is not closed, or one of its items needs quotes"),
    (
        "did not find expected '-' indicator",
        "a list item (- ...) is indented differently from the ones before it",
    ),
    ("did not find expected key", "this line is indented differently from the lines before it"),
    ("expected <block end>", "this line is indented differently from the lines before it"),
    ("did not find expected node content", "something is missing after a '-' or a colon"),
)


def plain_yaml_error(reason: str) -> str:
    """PyYAML's complaint in plain words, with what to check; unknown ones keep its wording."""
    for jargon, plain in _PLAIN_YAML_ERRORS:
        if jargon in reason:
            return plain
    if reason:
        return f"{reason} (check the indentation, colons and quotes on this line and the one above)"
    return "the YAML could not be read (check the indentation, colons and quotes)"


def parse_yaml(text: str, file: str) -> tuple[Any, list[Problem]]:
    """Parse one YAML document safely; return (data, problems). Data is None on any problem."""
    if len(text.encode("utf-8", errors="replace")) > MAX_FILE_BYTES:
        return None, [Problem(file, 1, f"the file is larger than {MAX_FILE_BYTES // 1024} KB; split it")]
    try:
        # Walk the events first (no objects built, no recursion) to refuse aliases before anything
        # can expand, and nesting deeper than the recursive composer and constructor can take.
        depth = 0
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            mark = event.start_mark
            line = mark.line + 1 if mark else 1
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                return None, [Problem(file, line, "anchors and aliases (& and *) are not allowed in the FAQ")]
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    message = f"lists or blocks are nested more than {MAX_DEPTH} deep"
                    return None, [Problem(file, line, message)]
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
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
        reason = exc.problem or ""
        if isinstance(exc, _DuplicateKey):
            return None, [Problem(file, line, f"YAML error: {reason}")]
        return None, [Problem(file, line, f"this file cannot be read: {plain_yaml_error(reason)}")]
    except yaml.YAMLError:
        return None, [Problem(file, 1, f"this file cannot be read: {plain_yaml_error('')}")]
    except RecursionError:  # a last guard: the depth check above should make it unreachable
        return None, [Problem(file, 1, "the YAML is nested too deeply to read")]
    return data, []


class Checker(Protocol):
    """What the FAQ loader's per-file checker offers (see ``bot.knowledge.checks.FileChecker``)."""

    file: str

    def add(self, line: int, message: str) -> None: ...

    def text(
        self, mapping: LineDict, key: str, where: str, *, required: bool = ..., limit: int = ...
    ) -> str: ...

    def string_list(
        self, mapping: LineDict, key: str, where: str, *, required: bool, minimum: int = ...
    ) -> list[tuple[str, int]]: ...
