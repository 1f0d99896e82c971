"""`deckgen new`: a YAML skeleton with every field, short comments and the schema line.

Required text is left empty on purpose: `deckgen check` points at each blank until the
note is written, so a half-filled skeleton never becomes a card.
"""

from __future__ import annotations

import re
from pathlib import Path

from deckgen.source.errors import DeckgenError, display_path

#: Note kind -> (folder, id pattern, what the id is).
KINDS: dict[str, tuple[str, str, str]] = {
    "point": ("points", r"^[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*$", "a point code such as ST7"),
    "concept": ("concepts", r"^[a-z0-9]+(-[a-z0-9]+)*$", "a lower-case id such as liver-wind"),
    "condition": ("conditions", r"^[a-z0-9]+(-[a-z0-9]+)*$", "a lower-case id such as tics"),
    "fact": ("facts", r"^[a-z0-9]+(-[a-z0-9]+)*$", "a lower-case id such as imaging-first"),
}

_SKELETONS = {
    "point": """\
# yaml-language-server: $schema=../../schemas/point.schema.json
code: {id}
aliases: []            # other codes, e.g. [SJ17, TW17]
pinyin: ""             # with tone marks, e.g. Xiàguān
hanzi: ""              # simplified characters
english: ""            # English name
channel: ""            # lung, large-intestine, stomach, ..., governor-vessel, extra
location: ""           # the standard location, in your own words
location_cloze: []     # phrases of `location` to hide on a cloze card, copied exactly
needling:
  angle: ""            # perpendicular, oblique, transverse; direction
  depth: ""            # e.g. 0.5–1 cun
  method: null         # optional technique
  cautions: []         # safety cautions; each gives a needling card
actions: []            # TCM actions
indications: []        # what it is used for (at least one)
notes: []              # further facts; claims as "claimed by <source>" with the correction
diagram: null          # e.g. {{name: face-profile, x: 0.52, y: 0.48}}
tags: []               # e.g. [region::face, topic::facial-palsy]
sources: []            # keys from sources.yaml (at least one)
""",
    "concept": """\
# yaml-language-server: $schema=../../schemas/concept.schema.json
id: {id}
term: ""               # the concept's English name
pinyin: null           # with tone marks
hanzi: null            # simplified characters
definition: ""         # one or two sentences
cloze: []              # key phrases of `definition` to hide, copied exactly
relevance: null        # why it matters clinically
related_points: []     # point codes, checked to exist
tags: []
sources: []            # keys from sources.yaml (at least one)
""",
    "condition": """\
# yaml-language-server: $schema=../../schemas/condition.schema.json
id: {id}
name: ""               # the condition's name
key_features: []       # at least one
hallmarks: []          # features that point to this condition and no other in the deck
cause: ""
workup: []
treatment: []
distinguish_from: []   # e.g. [{{condition: blepharospasm, how: "One-sided; persists in sleep."}}]
red_flags: []          # findings that call for imaging or referral
tags: []
sources: []            # keys from sources.yaml (at least one)
""",
    "fact": """\
# yaml-language-server: $schema=../../schemas/fact.schema.json
id: {id}
question: ""           # one fact per card
answer: ""             # a phrase or one sentence, not a paragraph
extra: null            # context shown after the answer
tags: []
sources: []            # keys from sources.yaml (at least one)
""",
}


def new_note(*, cards_dir: Path, kind: str, note_id: str) -> Path:
    """Write the skeleton for a new note and return its path; never overwrite a file."""
    folder, pattern, described = KINDS[kind]
    if not re.match(pattern, note_id):
        raise DeckgenError(f"'{note_id}' is not a valid {kind} id: use {described}")
    path = cards_dir / folder / f"{note_id}.yaml"
    if path.exists():
        raise DeckgenError(f"{display_path(path)} already exists; deckgen never overwrites it")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:  # "x": fail rather than overwrite
        handle.write(_SKELETONS[kind].format(id=note_id))
    return path
