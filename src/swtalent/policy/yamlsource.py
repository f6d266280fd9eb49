"""YAML to plain data, keeping where every key and value stands in the file.

PyYAML's own constructor silently keeps the last of two duplicate keys and turns 0.1 into
a float. We compose the node tree ourselves instead: duplicate keys become problems, numbers
become Decimal from their source text, and each path gets its line:column for messages.
Before any of that, the file must be within the limits below (size, depth, aliases, nodes).
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from ..errors import Issue, Location

PathKey = tuple  # ('rules', 1, 'amounts', 'senior')

# What a policy (or scenario) file may be. Real ones are a few KB, under 200 keys and values, nested
# at most 7 deep, with no aliases: these bounds are far above that and far below what costs seconds
# or memory. They are fixed, not options: a hostile or broken file must not be able to widen them.
MAX_BYTES = 1 << 20  # 1 MiB
MAX_DEPTH = 64  # nested mappings and lists; PyYAML's composer recurses once per level
MAX_ALIASES = 100  # *name references
MAX_NODES = 20_000  # keys and values, each alias counted as all it stands for (a "billion laughs" is 10**9)
MAX_DIGITS = 30  # a number beyond 30 digits either side of the point stays text: no 10**N int is ever built


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
            number = Decimal(node.value.replace("_", ""))
        except InvalidOperation:
            return node.value
        # As text, an absurd number is refused by the model at its line instead of becoming an int of
        # a billion digits (quota: 1.0e+999999999 would take minutes and gigabytes).
        return node.value if number.is_finite() and abs(number.adjusted()) > MAX_DIGITS else number
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
    text = _read(path, src)
    if text is None:
        return src
    try:
        root = yaml.compose(text, Loader=_LimitedLoader)
    except _Refused as exc:
        line, col = _mark(exc)
        src.issues.append(Issue.make(exc.code, Location(file=str(path), line=line, col=col), **exc.params))
        return src
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        detail = getattr(exc, "problem", None) or str(exc)
        src.issues.append(Issue.make("policy.yaml-syntax", Location(file=str(path), line=line, col=col), detail=detail))
        return src
    src.data = {} if root is None else _build(root, (), src)
    return src


_KIND = [(stat.S_ISDIR, "文件夹", "a folder"), (stat.S_ISFIFO, "管道（FIFO）", "a pipe (FIFO)"),
         (stat.S_ISCHR, "设备文件", "a device"), (stat.S_ISBLK, "设备文件", "a device"),
         (stat.S_ISSOCK, "套接字", "a socket")]


def _read(path: Path, src: Source) -> str | None:
    """The file's text, or None with the problem added to src. Only a regular file of at most
    MAX_BYTES is read: opening a FIFO waits for a writer, and /dev/zero never ends."""
    here = Location(file=str(path))
    try:
        info = os.stat(path)
        data = None
        if stat.S_ISREG(info.st_mode) and info.st_size <= MAX_BYTES:
            # O_NONBLOCK: should the path become a FIFO after the stat, opening it still returns at once.
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
            with os.fdopen(fd, "rb") as f:
                info = os.fstat(f.fileno())
                if stat.S_ISREG(info.st_mode):
                    data = f.read(MAX_BYTES + 1)  # + 1: a file that grew since the stat is still caught
    except FileNotFoundError:
        src.issues.append(Issue.make("policy.not-found", here))
        return None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        src.issues.append(Issue.make("policy.unreadable", here, detail=exc))
        return None
    if not stat.S_ISREG(info.st_mode):
        zh, en = next(((zh, en) for test, zh, en in _KIND if test(info.st_mode)), ("特殊文件", "a special file"))
        src.issues.append(Issue.make("policy.not-a-file", here, kind_zh=zh, kind_en=en))
        return None
    size = max(info.st_size, len(data or b""))
    if data is None or size > MAX_BYTES:
        src.issues.append(Issue.make("policy.too-large", here, size=f"{size:,}", limit=f"{MAX_BYTES:,}"))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        src.issues.append(Issue.make("policy.unreadable", here, detail=exc))
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")  # line ends as text mode reads them


class _Refused(Exception):
    """A limit passed while reading the YAML events: the catalogue code, where, and its params."""

    def __init__(self, code: str, event: yaml.Event, **params: object):
        super().__init__(code)
        self.code, self.start_mark, self.params = code, event.start_mark, params


class _LimitedLoader(yaml.SafeLoader):
    """SafeLoader whose composer takes each event only after it is checked against the limits.

    The parser makes events without recursion; the composer recurses once per level of nesting, so
    it is stopped at MAX_DEPTH before Python's recursion limit. An alias is counted as every node it
    stands for, from sizes recorded as each anchored node ends, so a bomb is refused by arithmetic
    before anything is expanded (_build walks shared nodes once per alias)."""

    def __init__(self, stream):
        super().__init__(stream)
        self._nodes = 0  # the document's nodes so far, aliases expanded
        self._aliases = 0
        self._open: list[tuple[str | None, int]] = []  # per open mapping or list: its anchor, nodes before it
        self._sizes: dict[str, int] = {}  # anchor -> the nodes it stands for

    def get_event(self):
        event = super().get_event()
        if isinstance(event, yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _Refused("policy.too-many-aliases", event, limit=MAX_ALIASES)
            if any(anchor == event.anchor for anchor, _ in self._open):
                raise _Refused("policy.alias-loop", event, alias=event.anchor)
            self._nodes += self._sizes.get(event.anchor, 1)  # unknown: the composer reports it next
        elif isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)):
            self._nodes += 1
            if isinstance(event, yaml.CollectionStartEvent):
                self._open.append((event.anchor, self._nodes - 1))
                if len(self._open) > MAX_DEPTH:
                    raise _Refused("policy.too-deep", event, limit=MAX_DEPTH)
            elif event.anchor is not None:
                self._sizes[event.anchor] = 1
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, before = self._open.pop()
            if anchor is not None:
                self._sizes[anchor] = self._nodes - before
        if self._nodes > MAX_NODES:
            raise _Refused("policy.too-many-nodes", event, limit=f"{MAX_NODES:,}")
        return event


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
