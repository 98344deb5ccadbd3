"""Strict parsing of YAML and JSON settings files: no duplicate keys, bounded aliases, clear file errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from neurocim.errors import InputError, clipped, shown

MAX_FILE_BYTES = 16 * 2**20  # a settings file is a few kB; refuse anything this large before parsing it
MAX_EXPANDED_NODES = 100_000  # values a document may hold once its aliases are expanded (an alias bomb: billions)


class ParseError(InputError):
    """A settings file that cannot be read or parsed."""


def read_text(path: str | Path, what: str = "configuration file") -> str:
    """The UTF-8 text of a settings file; missing files, folders and undecodable bytes are named clearly."""
    path = Path(path)
    if path.is_dir():
        raise ParseError(f"{path}: is a directory, expected a {what}")
    if not path.exists():
        raise ParseError(f"{what} not found: {path}")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ParseError(f"{path}: {size} bytes is too large for a {what} (at most {MAX_FILE_BYTES})")
        data = path.read_bytes()
    except OSError as err:
        raise ParseError(f"{path}: cannot be read ({err.strerror or err})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        bad = data[err.start : err.start + 1].hex()
        raise ParseError(f"{path}: not UTF-8 text (byte 0x{bad} at offset {err.start}); save it as UTF-8") from None


def parse_settings(text: str, source: str, as_json: bool = False) -> Any:
    """Parse YAML (or JSON) text strictly; an empty document is refused."""
    data = _parse_json(text, source) if as_json else _parse_yaml(text, source)
    if data is None:
        raise ParseError(f"{source}: the file is empty (no settings); write at least one section or setting")
    return data


def _parse_json(text: str, source: str) -> Any:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                raise ParseError(f"{source}: duplicate key {shown(key)}; each setting may appear once")
            out[key] = value
        return out

    def constant(name: str) -> float:
        raise ParseError(f"{source}: {name} is not allowed; settings must be finite numbers")

    if not text.strip():
        return None
    try:
        return json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except json.JSONDecodeError as err:
        raise ParseError(f"{source}: cannot parse, not valid JSON ({err})") from None
    except RecursionError:
        raise ParseError(f"{source}: nested too deeply to be a settings file") from None


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses a key written twice in one mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *base` then overriding keys is YAML's way of extending a mapping
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                first = seen.get(key)
            except TypeError:
                continue  # an unhashable key: construct_mapping itself refuses it
            if first is not None:
                raise ParseError(
                    f"line {line}: duplicate key {shown(key)} (first on line {first}); each setting may appear once"
                )
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def _parse_yaml(text: str, source: str) -> Any:
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expansion(node)
        return loader.construct_document(node)
    except ParseError as err:
        raise ParseError(f"{source}: {err}") from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        what = " ".join(str(p) for p in (err.context, err.problem) if p)
        raise ParseError(f"{source}: cannot parse, not valid YAML ({where}{clipped(what, 300)})") from None
    except yaml.YAMLError as err:
        raise ParseError(f"{source}: cannot parse, not valid YAML ({clipped(str(err), 300)})") from None
    except RecursionError:
        raise ParseError(f"{source}: nested too deeply to be a settings file") from None
    finally:
        loader.dispose()


def _check_expansion(root: yaml.Node) -> None:
    """Refuse a document whose aliases expand to more than MAX_EXPANDED_NODES values, or refer to themselves."""
    sizes: dict[yaml.Node, int] = {}  # per call: nodes shared through aliases are counted once per use
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    open_nodes: set[yaml.Node] = set()
    while stack:
        node, done = stack.pop()
        children = _children(node)
        if done:
            open_nodes.discard(node)
            sizes[node] = 1 + sum(sizes[c] for c in children)
            if sizes[node] > MAX_EXPANDED_NODES:
                raise ParseError(
                    f"its aliases expand to more than {MAX_EXPANDED_NODES} values "
                    f"(line {node.start_mark.line + 1}); refusing a YAML alias bomb"
                )
            continue
        if node in sizes:
            continue
        if node in open_nodes:
            raise ParseError(f"line {node.start_mark.line + 1}: an alias refers to its own value")
        open_nodes.add(node)
        stack.append((node, True))
        stack.extend((c, False) for c in children if c not in sizes)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []
