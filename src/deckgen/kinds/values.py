"""Values read from parsed YAML that may not be valid: each as the schema would read it
where it has the right type, and nothing where it has not (the schema reports those)."""

from __future__ import annotations

from typing import Any

from deckgen.source.yamldoc import Document


def text_of(value: Any) -> str | None:
    """A value as the schema would read it as text, or None if it is not text."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def field_of(doc: Document, key: str) -> Any:
    return doc.data.get(key) if isinstance(doc.data, dict) else None


def text_items(value: Any) -> tuple[str, ...]:
    """The items of a list as text, "" for an item that is not text (so that indexes stay
    those of the file); () for a value that is not a list."""
    return tuple(text_of(item) or "" for item in value) if isinstance(value, list) else ()


def texts(doc: Document, key: str) -> list[tuple[int, str]]:
    """The text items of the list at `key`, with their indexes."""
    items = field_of(doc, key)
    if not isinstance(items, list):
        return []
    return [(i, text) for i, item in enumerate(items) if (text := text_of(item))]
