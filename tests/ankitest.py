"""Helpers that drive the real Anki backend (the `anki` package, test-only, AGPL).

Imported unconditionally: if `anki` is missing the test run fails, it never skips.
"""

from __future__ import annotations

from pathlib import Path

import anki.collection  # must come before anki.cards (circular import)
from anki.cards import Card
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition, ImportResponse
from anki.scheduler.v3 import Scheduler
from anki.scheduler_pb2 import CardAnswer

IF_NEWER = ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
ALWAYS = ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_ALWAYS

__all__ = [
    "ALWAYS",
    "IF_NEWER",
    "Card",
    "Collection",
    "anki",
    "import_package",
    "revlog_count",
    "study_all",
]


def import_package(
    col: Collection,
    package: Path,
    *,
    merge_notetypes: bool = False,
    update: ImportAnkiPackageUpdateCondition.ValueType = IF_NEWER,
) -> ImportResponse.Log:
    """Import like Anki desktop does; defaults are Anki's default import options."""
    request = ImportAnkiPackageRequest(
        package_path=str(package),
        options=ImportAnkiPackageOptions(
            merge_notetypes=merge_notetypes,
            update_notes=update,
            update_notetypes=update,
            with_scheduling=False,
        ),
    )
    log = col.import_anki_package(request).log
    col.models._clear_cache()  # the Python note-type cache is stale after an import
    return log


def study_all(col: Collection) -> int:
    """Answer every card once ("Good") with the real scheduler; return how many."""
    scheduler = col.sched
    assert isinstance(scheduler, Scheduler)
    card_ids = col.find_cards("")
    for card_id in card_ids:
        card = col.get_card(card_id)
        card.start_timer()
        states = col._backend.get_scheduling_states(card_id)
        answer = scheduler.build_answer(card=card, states=states, rating=CardAnswer.GOOD)
        scheduler.answer_card(answer)
    return len(card_ids)


def revlog_count(col: Collection) -> int:
    """How many reviews the collection has logged."""
    assert col.db is not None
    return int(col.db.scalar("select count() from revlog"))
