"""YAML to plain data, keeping where every key and value stands in the file.

PyYAML's own constructor silently keeps the last of two duplicate keys and turns 0.1 into
a float. We compose the node tree ourselves instead: duplicate keys become problems, numbers
become Decimal from their source text, and each path gets its line:column for messages.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from ..errors import Issue, Location

PathKey = tuple  # ('rules', 1, 'amounts', 'senior')


def render_path(path: PathKey) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass
class Source:
    """A parsed YAML file: its data and the position of each value and key (1-based)."""

    file: str
    data: object = None
    values: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    keys: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

    def where(self, path: PathKey, *, key: bool = False) -> Location:
        """The closest known position for a path; for a missing key, its parent mapping."""
        table = self.keys if key else self.values
        p = tuple(path)
        while p and p not in table and p not in self.values:
            p = p[:-1]
        line, col = table.get(p) or self.values.get(p) or (1, 1)
        return Location(file=self.file, line=line, col=col, path=render_path(path))


_constructor = yaml.SafeLoader.__new__(yaml.SafeLoader)  # only for its scalar helpers


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _scalar(node: yaml.ScalarNode) -> object:
    tag = node.tag.rsplit(":", 1)[-1]
    if tag in ("int", "float"):
        try:
            return Decimal(node.value.replace("_", ""))
        except InvalidOperation:
            return node.value
    if tag == "bool":
        return node.value.lower() in ("true", "yes", "on", "y")
    if tag == "null":
        return None
    if tag == "timestamp":
        try:
            return yaml.SafeLoader.construct_yaml_timestamp(_constructor, node)
        except ValueError:  # 2022-02-30: left as text, so the model reports it at its line
            return node.value
    return node.value


def load_source(path: Path) -> Source:
    src = Source(file=str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        src.issues.append(Issue.make("policy.not-found", Location(file=str(path))))
        return src
    except (OSError, UnicodeDecodeError) as exc:
        src.issues.append(Issue.make("policy.unreadable", Location(file=str(path)), detail=exc))
        return src
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        detail = getattr(exc, "problem", None) or str(exc)
        src.issues.append(Issue.make("policy.yaml-syntax", Location(file=str(path), line=line, col=col), detail=detail))
        return src
    src.data = {} if root is None else _build(root, (), src)
    return src


def _build(node: yaml.Node, path: PathKey, src: Source) -> object:
    src.values[path] = _mark(node)
    if isinstance(node, yaml.MappingNode):
        out: dict = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            key = str(key) if not isinstance(key, str) else key
            if key in out:
                first = src.keys[path + (key,)]
                src.issues.append(Issue.make(
                    "policy.duplicate-key",
                    Location(file=src.file, line=_mark(key_node)[0], col=_mark(key_node)[1],
                             path=render_path(path + (key,))),
                    key=key, first_line=first[0]))
                continue
            src.keys[path + (key,)] = _mark(key_node)
            out[key] = _build(value_node, path + (key,), src)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (i,), src) for i, item in enumerate(node.value)]
    return _scalar(node)
