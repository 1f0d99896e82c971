"""The occlusion label layouts of the last build, kept in its cache: an edit makes the
image-occlusion notes anew, and at 100 points a diagram's layout (`Diagram.spread`) costs a
tenth of a second, most of the notes an edit makes. A layout depends only on the diagram's
size and symmetry and the points' places and codes (its key), and on deckgen's code, which
keys the whole cache."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

#: A diagram's label layout: each label's fields (x, y, text, shift, dx), in marks order.
Layout = tuple[tuple[float, float, str, float, float], ...]

#: While a build makes its notes: the layouts the last build used, and those this one uses.
_LAYOUTS: ContextVar[tuple[Mapping[str, Layout], dict[str, Layout]] | None] = ContextVar(
    "_LAYOUTS", default=None
)


@contextmanager
def known_layouts(known: Mapping[str, Layout]) -> Iterator[dict[str, Layout]]:
    """Within the block, a layout in `known` (what the last build used, from its cache) is
    taken as it is, not worked out again. Yields the layouts the block used, by key, for
    the next build."""
    used: dict[str, Layout] = {}
    token = _LAYOUTS.set((known, used))
    try:
        yield used
    finally:
        _LAYOUTS.reset(token)


def remembering() -> bool:
    """Whether layouts are remembered here (inside `known_layouts`)."""
    return _LAYOUTS.get() is not None


def remembered(key: str, work_out: Callable[[], Layout], fits: Callable[[Layout], bool]) -> Layout:
    """The layout of `key`: as known if it `fits` (a label per mark: a cache tampered
    with is not trusted further than that), else worked out now; noted as used."""
    store = _LAYOUTS.get()
    if store is None:
        return work_out()
    known, used = store
    found = known.get(key)
    used[key] = layout = found if found is not None and fits(found) else work_out()
    return layout


def well_formed_layouts(found: object) -> dict[str, Layout]:
    """Layouts read back from a cache, or none if they are not as written."""
    if not isinstance(found, dict):
        return {}
    for key, layout in found.items():
        if type(key) is not str or type(layout) is not tuple:
            return {}
        for fields in layout:
            if type(fields) is not tuple or len(fields) != 5 or type(fields[2]) is not str:
                return {}
            if not all(type(fields[i]) is float for i in (0, 1, 3, 4)):
                return {}
    return found
