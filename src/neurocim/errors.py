"""The input-error family: files and values a user hands neurocim that it cannot use."""

from __future__ import annotations

# Longest piece of a user's input echoed in a message (an alias bomb or a huge list is cut here).
ECHO_LIMIT = 200


class InputError(ValueError):
    """A file, path or value given to neurocim that cannot be used; the message says which and why."""


class OutputError(InputError):
    """An output path that cannot be written (missing parent that cannot be made, a directory, read-only)."""


def shown(value: object, limit: int = ECHO_LIMIT) -> str:
    """repr(value) cut to `limit` characters, so a message never echoes a huge input in full."""
    text = _bounded_repr(value, limit)
    if len(text) <= limit:
        return text
    suffix = f"... ({type(value).__name__})"
    return text[: max(limit - len(suffix), 0)] + suffix


def clipped(text: str, limit: int = ECHO_LIMIT) -> str:
    """text cut to `limit` characters (marked with '...')."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _bounded_repr(value: object, limit: int) -> str:
    """repr of containers built piece by piece, stopping once `limit` characters are reached."""
    if isinstance(value, dict):
        parts, total = [], 0
        for key, item in value.items():
            part = f"{_bounded_repr(key, limit)}: {_bounded_repr(item, limit)}"
            parts.append(part)
            total += len(part) + 2
            if total > limit:
                break
        return "{" + ", ".join(parts) + "}"
    if isinstance(value, list | tuple):
        parts, total = [], 0
        for item in value:
            parts.append(_bounded_repr(item, limit))
            total += len(parts[-1]) + 2
            if total > limit:
                break
        return "[" + ", ".join(parts) + "]"
    if isinstance(value, str) and len(value) > limit:
        return repr(value[:limit])
    return repr(value)
