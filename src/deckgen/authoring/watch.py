"""`deckgen build --watch`: rebuild on every save, debounced. A bad save reports its
problems and leaves the last good .apkg in place (the build writes nothing on error)."""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from deckgen.build import BuildReport, build
from deckgen.source.cardsfolder import START_HINT
from deckgen.source.errors import DeckgenError, display_path
from deckgen.source.files import is_scratch
from deckgen.state.lock import LOCK_FILE

if TYPE_CHECKING:
    import watchfiles

#: Milliseconds of quiet that end a burst of changes: an editor's save (write, rename, its
#: swap and backup files) or a `git checkout` changes its files within a millisecond or
#: two of each other, so a burst is over when this passes without another change.
QUIET_MS = 10
#: The longest a burst is gathered before rebuilding, however busy the folder.
DEBOUNCE_MS = 300

BuildOutcome = BuildReport | DeckgenError
#: What a build with nothing to do does not import, and a rebuild does.
_STAGES = ("deckgen.build.core", "deckgen.anki.genanki_adapter")


def _is_source(change: watchfiles.Change, path: str) -> bool:
    """Our own lock writes and editors' temporary files do not trigger a build."""
    name = Path(path).name
    return not (name == LOCK_FILE or name.startswith(".") or is_scratch(name))


def build_once(*, cards_dir: Path, out_dir: Path, strict: bool = False) -> BuildOutcome:
    """One build, with an error returned instead of raised: a watch outlives bad saves."""
    try:
        return build(cards_dir=cards_dir, out_dir=out_dir, strict=strict)
    except DeckgenError as error:
        return error
    except (OSError, ValueError) as error:  # e.g. a file removed or an image replaced mid-save
        return DeckgenError(f"build failed: {error}")


def watch(
    *,
    cards_dir: Path,
    out_dir: Path,
    on_build: Callable[[BuildOutcome], None],
    stop: threading.Event | None = None,
    debounce_ms: int = DEBOUNCE_MS,
    strict: bool = False,
) -> None:
    """Build now, then again after every burst of changes under `cards_dir`, until `stop`."""

    # A build with nothing to do loads neither the stages nor genanki (`build.each`): a
    # watch loads them at its start, so that the first save rebuilds as quickly as the next.
    for module in _STAGES:
        importlib.import_module(module)
    from deckgen.state.kept import keeping_written

    def once() -> None:
        on_build(build_once(cards_dir=cards_dir, out_dir=out_dir, strict=strict))

    with keeping_written():  # each build does not decode again what the last one wrote
        on_every_save(cards_dir, once, stop=stop, debounce_ms=debounce_ms)


def on_every_save(
    cards_dir: Path,
    run: Callable[[], None],
    *,
    stop: threading.Event | None = None,
    debounce_ms: int = DEBOUNCE_MS,
) -> None:
    """`run()` now, then again after every burst of changes under `cards_dir` (our own lock
    writes and editors' scratch files aside), until `stop` is set or Ctrl-C."""
    if not cards_dir.is_dir():
        raise DeckgenError(f"cards folder '{display_path(cards_dir)}' does not exist{START_HINT}")
    import watchfiles  # here: every deckgen command would pay for its import otherwise

    # The core never prints: not even watchfiles' own "KeyboardInterrupt caught" line.
    logging.getLogger("watchfiles").setLevel(logging.ERROR)
    run()
    for _ in watchfiles.watch(
        cards_dir,
        watch_filter=_is_source,
        debounce=debounce_ms,
        step=QUIET_MS,
        stop_event=stop,
        raise_interrupt=False,
    ):
        run()
