"""Grouping a batch of points by what they share that is expensive (the sub-array read pass) and cutting the groups
into one piece per worker (shared by the process pool and Ray)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from neurocim.explore.space import Point, lookup

# The chip fields (or whole sections) the sub-array read statistics depend on: the column model (cell type, access,
# conductances, wires and access device through the technology and the cell's size, rows and columns, parallel rows,
# read mode, sense mode, compat quirks), the mapped cell digits (weight precision and range, cell bits, mapping),
# the input bit planes (input precision) and what the ADC asks the read pass to collect (its type). A change of any
# other field re-costs a chip from the read statistics its workload already holds; tests/unit/test_explore_batches.py
# checks that no other field starts a read pass.
READ_FIELDS = (
    "technology",
    "cell.type",
    "cell.access",
    "cell.bits_per_cell",
    "cell.r_on_ohm",
    "cell.on_off_ratio",
    "cell.read_voltage_v",
    "cell.height_f",
    "cell.width_f",
    "array.rows",
    "array.cols",
    "array.parallel_rows",
    "array.read_mode",
    "adc.type",
    "adc.sense_mode",
    "precision",
    "mapping",
    "compat",
    "quirks",
)


_READ_SECTIONS = frozenset(".".join(f.split(".")[:i]) for f in READ_FIELDS for i in range(1, f.count(".") + 1))


def is_read_field(path: str) -> bool:
    """Whether a chip field path (`adc.bits`, `chip.` prefix allowed) holds or lies in a field the read pass reads."""
    field = path.removeprefix("chip.")
    if field in _READ_SECTIONS:  # a section holding a read field
        return True
    parts = field.split(".")
    return any(".".join(parts[:i]) in READ_FIELDS for i in range(1, len(parts) + 1))  # a read field or inside one


def read_key(point: Point, base: Mapping[str, Any] | None = None) -> tuple[tuple[str, Any], ...]:
    """The point's values of the fields its read statistics depend on, leaving out those equal to the `base`
    configuration's (nested dicts, where given): points of one sweep with equal keys share their read pass (the empty
    key: the base chip's)."""
    chip = (path for path in point if path.startswith("chip."))
    return tuple(
        (path, repr(point[path])) for path in chip if is_read_field(path) and not _as_in(base, path, point[path])
    )


def _as_in(base: Mapping[str, Any] | None, path: str, value: Any) -> bool:
    """Whether the nested configuration `base` holds `value` at the dotted `path`."""
    if base is None:
        return False
    try:
        return bool(lookup(base, path) == value)
    except (KeyError, TypeError):
        return False


def by_read_setting(
    points: Sequence[tuple[int, Point]], base: Mapping[str, Any] | None = None
) -> list[tuple[int, Point]]:
    """The points (seq, point) reordered so that those of one read setting (read_key's, against `base`) are
    adjacent (settings in the order they first appear, points in their order within one), so that a read pass is
    paid once."""
    groups: dict[tuple, list[tuple[int, Point]]] = {}
    for item in points:
        groups.setdefault(read_key(item[1], base), []).append(item)
    return [item for group in groups.values() for item in group]


def grouped_chunks(keys: Sequence[Hashable], parts: int, shared: Hashable = ()) -> list[list[int]]:
    """Indices 0..len(keys)-1 cut into at most `parts` non-empty pieces so that the items of one key stay in one
    piece, except those of the `shared` key (one every worker holds already), which are spread to even the pieces out.
    Keys go whole, the largest first, to the lightest piece; within a piece indices keep their order."""
    groups: dict[Hashable, list[int]] = {}
    for i, key in enumerate(keys):
        groups.setdefault(key, []).append(i)
    spread = groups.pop(shared, [])
    pieces: list[list[int]] = [[] for _ in range(max(1, min(parts, len(keys))))]
    for group in sorted(groups.values(), key=len, reverse=True):
        min(pieces, key=len).extend(group)
    for i in spread:
        min(pieces, key=len).append(i)
    return [sorted(piece) for piece in pieces if piece]


def split(items: Sequence[Any], keys: Sequence[Hashable] | None, parts: int) -> tuple[list[list[Any]], list[list[int]]]:
    """(pieces of `items` for at most `parts` workers, the indices of each piece's items): by grouped_chunks of
    their keys (read settings) when given, else contiguous near-equal pieces."""
    indices = chunks(range(len(items)), parts) if keys is None else grouped_chunks(keys, parts)
    return [[items[i] for i in piece] for piece in indices], indices


def gather(indices: list[list[int]], results: Sequence[Sequence[Any]]) -> list[Any]:
    """The results of the pieces `split` made, back in the order of the items."""
    out: list[Any] = [None] * sum(len(piece) for piece in indices)
    for piece, found in zip(indices, results, strict=True):
        for i, result in zip(piece, found, strict=True):
            out[i] = result
    return out


def chunks(items: Sequence[Any], parts: int) -> list[list[Any]]:
    """`items` cut into at most `parts` contiguous, near-equal, non-empty pieces (order kept)."""
    n = len(items)
    parts = max(1, min(parts, n))
    bounds = [round(i * n / parts) for i in range(parts + 1)]
    return [list(items[a:b]) for a, b in zip(bounds, bounds[1:], strict=False) if b > a]
