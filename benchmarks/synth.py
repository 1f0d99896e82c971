"""Synthetic cards folders of any size, valid under `deckgen check`.

Notes are mixed like a real deck (points 35 %, concepts 25 %, conditions 15 %, facts 25 %);
2.5 % of all notes are points placed on one of five custom diagrams declared in deck.yaml
(500 diagram points at 20,000 notes). Text is distinct, of the length real notes have
(a note file is ~0.6 kB, like `cards/`), drawn from a seeded generator: the same size and
seed always give the same files.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


def _split(text: str, separator: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(separator))


#: Share of notes by kind; what is left over after rounding goes to facts.
MIX = {"points": 0.35, "concepts": 0.25, "conditions": 0.15, "facts": 0.25}
#: Share of all notes that are points placed on a diagram.
DIAGRAM_SHARE = 500 / 20_000
DIAGRAMS = ("bench-face", "bench-profile", "bench-hand", "bench-leg", "bench-head")
SOURCES = 40

_CHANNELS = {
    "LU": "lung",
    "LI": "large-intestine",
    "ST": "stomach",
    "SP": "spleen",
    "HT": "heart",
    "SI": "small-intestine",
    "BL": "bladder",
    "KI": "kidney",
    "PC": "pericardium",
    "TE": "triple-energizer",
    "GB": "gallbladder",
    "LR": "liver",
    "GV": "governor-vessel",
    "CV": "conception-vessel",
    "EX": "extra",
}
_PINYIN = _split(
    "yáng bái sì cāng dì jiá chē quán liáo hé gǔ tài chōng fēng chí yì zú sān lǐ xià guān "
    "tīng gōng huì zǎn zhú sī kōng yú yāo qiān zhèng yíng xiāng jīng míng tóng zǐ nèi tíng"
)
_HANZI = "阳白四仓地颊车颧髎合谷太冲风池翳足三里下关听宫会攒竹丝空鱼腰牵正迎香睛明瞳子内庭"
_ENGLISH = _split(
    "Yang White Four Earth Granary Cheek Chariot Union Valley Great Surge Wind Pool Screen "
    "Leg Three Miles Lower Gate Hearing Palace Gathered Bamboo Silk Bamboo Fish Waist "
    "Pulling Aright Welcome Fragrance Bright Eyes Pupil Seam Inner Courtyard"
)
_ANATOMY = _split(
    "eyebrow pupil orbit cheekbone mandible masseter philtrum nasolabial groove tragus "
    "mastoid process occiput forehead hairline temple zygomatic arch mouth corner lip "
    "second metacarpal bone tibia patella malleolus tendon crease wrist forearm radius "
    "ulna elbow fossa scapula spine vertebra sternum clavicle muscle belly notch foramen"
)
_WORDS = _split(
    "the a of on in at with between above below lateral medial proximal distal anterior "
    "posterior superior inferior depression border margin junction midpoint line level "
    "width finger cun B-cun F-cun vertical horizontal directly just along toward beside "
    "spasm twitching tremor numbness pain swelling weakness drooping deviation tearing "
    "wind cold heat damp phlegm qi blood yin yang liver spleen kidney stomach channel "
    "network vessel deficiency excess stagnation obstruction pattern sign symptom "
    "contraction relaxation palsy paralysis nerve artery vein branch root nucleus "
    "onset course duration episode persistent intermittent unilateral bilateral chronic "
    "acute recurrent sleep stress fatigue bright light chewing speaking smiling closing "
    "treatment needling insertion manipulation retention stimulation session course "
    "improves worsens eases triggers spreads begins stops follows precedes persists"
)
_VERBS = _split(
    "expels clears calms moves tonifies nourishes regulates soothes opens harmonises "
    "benefits subdues drains warms cools activates relaxes strengthens"
)
_OBJECTS = _split(
    "wind, heat, the channels, the network vessels, the sinews, the face, the eyes, the spirit, "
    "liver yang, the blood, qi and blood, the stomach, the spleen, damp phlegm, pain, spasm",
    ", ",
)
_ANGLES = ("Perpendicular", "Oblique", "Transverse", "Oblique toward the ear")
_SVG_HEADER = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 500" width="400" height="500">'
)


@dataclass(frozen=True)
class Synthetic:
    """A generated cards folder and what is in it."""

    cards: Path
    notes: int  # note files (what authors see as notes)
    counts: dict[str, int]  # note files by folder
    diagram_points: int
    edit_target: Path  # the note file that `edit_one_note` rewrites
    edit_record: dict[str, Any]


class _Text:
    """Seeded, distinct text of realistic length."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.serial = 0

    def words(self, low: int, high: int) -> list[str]:
        count = self.rng.randint(low, high)
        return [self.rng.choice(_WORDS) for _ in range(count)]

    def sentence(self, low: int = 8, high: int = 22, *, emphasis: bool = True) -> str:
        """A sentence; one in eight has Markdown emphasis; a serial makes each distinct."""
        words = self.words(low, high)
        self.serial += 1
        words.insert(self.rng.randint(1, len(words)), self.rng.choice(_ANATOMY))
        if emphasis and self.rng.random() < 0.125:
            i = self.rng.randrange(len(words))
            words[i] = f"*{words[i]}*"
        words.append(f"(case {self.serial})")
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."

    def items(self, low: int, high: int, words: tuple[int, int] = (4, 12)) -> list[str]:
        return [self.sentence(*words) for _ in range(self.rng.randint(low, high))]

    def pinyin(self) -> str:
        return " ".join(self.rng.choice(_PINYIN) for _ in range(self.rng.randint(2, 3))).title()

    def hanzi(self) -> str:
        return "".join(self.rng.choice(_HANZI) for _ in range(self.rng.randint(2, 4)))

    def english(self) -> str:
        return " ".join(self.rng.choice(_ENGLISH) for _ in range(self.rng.randint(2, 3)))

    def phrase_of(self, text: str) -> str:
        """A few whole words from the middle of `text`, free of Markdown, to hide as a cloze."""
        words = text.split()[:-2]  # not the "(case N)." serial
        windows = [words[i : i + 3] for i in range(1, max(2, len(words) - 2))]
        clean = [window for window in windows if not any("*" in word for word in window)]
        return " ".join(self.rng.choice(clean or [[words[0].strip("*")]]))


def counts_for(notes: int) -> dict[str, int]:
    """Note files per folder for a deck of `notes` notes (at least two conditions)."""
    counts = {kind: max(1, int(notes * share)) for kind, share in MIX.items()}
    counts["conditions"] = max(2, counts["conditions"])
    counts["facts"] += notes - sum(counts.values())
    return counts


def generate(root: Path, notes: int, *, seed: int = 8) -> Synthetic:
    """Write a cards folder of `notes` notes under `root` (which must not exist yet)."""
    if notes < 8:
        raise ValueError("a synthetic deck needs at least 8 notes")
    text = _Text(seed)
    counts = counts_for(notes)
    diagram_points = min(counts["points"], max(len(DIAGRAMS), round(notes * DIAGRAM_SHARE)))
    root.mkdir(parents=True)
    for folder in ("points", "concepts", "conditions", "facts", "images"):
        (root / folder).mkdir()
    sources = [f"ref-{i:03d}" for i in range(SOURCES)]

    deck = {
        "name": f"Benchmark {notes} Notes",
        "description": "A synthetic deck for deckgen's benchmarks.",
        "version": "1.0",
        "diagrams": {
            name: {"image": f"images/{name}.svg", "title": f"Benchmark drawing {name}"}
            for name in DIAGRAMS
        },
    }
    _dump(root / "deck.yaml", deck)
    _dump(
        root / "sources.yaml",
        {
            key: {
                "short": f"Ref {i}",
                "title": f"{text.sentence(6, 14, emphasis=False)} {2000 + i}.",
            }
            for i, key in enumerate(sources)
        },
    )
    for index, name in enumerate(DIAGRAMS):
        (root / "images" / f"{name}.svg").write_text(_drawing(index), encoding="utf-8")

    codes = _points(root, text, counts["points"], diagram_points, sources)
    _concepts(root, text, counts["concepts"], codes, sources)
    _conditions(root, text, counts["conditions"], sources)
    edit_target, edit_record = _facts(root, text, counts["facts"], sources)
    return Synthetic(root, notes, counts, diagram_points, edit_target, edit_record)


def edit_one_note(synthetic: Synthetic, revision: int) -> None:
    """Rewrite one fact's answer, differently for each `revision`: a one-note edit."""
    record = dict(synthetic.edit_record)
    record["answer"] = f"{record['answer'].rstrip('.')}, as revised ({revision})."
    _dump(synthetic.edit_target, record)


def _cited(
    rng: random.Random, items: list[str], cited: list[str]
) -> list[str] | list[dict[str, Any]]:
    """List items as an author following deckgen's design rules writes them: where the note
    cites more than one source, each item names the one that supports it (as the shipped
    deck does), so that no card cites sources that are not its own."""
    if len(cited) < 2:
        return items
    return [{"text": item, "sources": [rng.choice(cited)]} for item in items]


def _own_sources(rng: random.Random, cited: list[str]) -> list[str] | None:
    """The sources of one field of a note citing `cited` (None: the note's own will do)."""
    return [rng.choice(cited)] if len(cited) > 1 else None


def _points(root: Path, text: _Text, count: int, placed: int, sources: list[str]) -> list[str]:
    prefixes = list(_CHANNELS)
    step = count / placed if placed else 0.0
    on_diagram = {int(i * step) for i in range(placed)}
    codes = []
    diagrams_used = 0
    for i in range(count):
        rng = text.rng
        prefix = prefixes[i % len(prefixes)]
        code = f"{prefix}{i + 1}"
        codes.append(code)
        cited = rng.sample(sources, rng.randint(1, 3))
        location = text.sentence(10, 24)
        needling: dict[str, Any] = {
            "angle": rng.choice(_ANGLES),
            "depth": f"{rng.randint(1, 5) / 10:.1f}–{rng.randint(6, 15) / 10:.1f} cun",
        }
        if rng.random() < 0.3:
            needling["method"] = text.sentence(5, 12)
        needling["cautions"] = _cited(rng, text.items(0, 2), cited)
        if own := _own_sources(rng, cited):
            needling["sources"] = own
        record: dict[str, Any] = {
            "code": code,
            "aliases": [f"X{code}"] if rng.random() < 0.05 else [],
            "pinyin": text.pinyin(),
            "hanzi": text.hanzi(),
            "english": text.english(),
            "channel": _CHANNELS[prefix],
            "location": location,
        }
        if record["aliases"] and (own := _own_sources(rng, cited)):
            record["aliases_sources"] = own
        if own := _own_sources(rng, cited):
            record["location_sources"] = own
        if rng.random() < 0.6:
            record["location_cloze"] = [text.phrase_of(location)]
        record["needling"] = needling
        actions = [
            f"{rng.choice(_VERBS).capitalize()} {rng.choice(_OBJECTS)}; {text.sentence(3, 8)}"
            for _ in range(rng.randint(0, 3))
        ]
        record["actions"] = _cited(rng, actions, cited)
        record["indications"] = _cited(rng, text.items(1, 4), cited)
        record["notes"] = _cited(rng, text.items(0, 2, (10, 20)), cited)
        if i in on_diagram:
            diagrams_used += 1
            record["diagram"] = {
                "name": DIAGRAMS[diagrams_used % len(DIAGRAMS)],
                "x": round(rng.uniform(0.05, 0.95), 3),
                "y": round(rng.uniform(0.05, 0.95), 3),
            }
        record["tags"] = [f"region::r{rng.randint(1, 12)}", f"topic::t{rng.randint(1, 30)}"]
        record["sources"] = cited
        _dump(root / "points" / f"{code}.yaml", record)
    return codes


def _concepts(root: Path, text: _Text, count: int, codes: list[str], sources: list[str]) -> None:
    for i in range(count):
        rng = text.rng
        concept_id = f"concept-{i + 1}"
        definition = text.sentence(12, 28)
        record: dict[str, Any] = {
            "id": concept_id,
            "term": f"{text.english()} {i + 1}",
            "pinyin": text.pinyin().lower(),
            "hanzi": text.hanzi(),
            "definition": definition,
        }
        if rng.random() < 0.6:
            record["cloze"] = [text.phrase_of(definition)]
        if rng.random() < 0.7:
            record["relevance"] = text.sentence(12, 30)
        record["related_points"] = rng.sample(codes, min(len(codes), rng.randint(0, 4)))
        record["tags"] = [f"topic::t{rng.randint(1, 30)}"]
        record["sources"] = rng.sample(sources, rng.randint(1, 2))
        _dump(root / "concepts" / f"{concept_id}.yaml", record)


def _conditions(root: Path, text: _Text, count: int, sources: list[str]) -> None:
    ids = [f"condition-{i + 1}" for i in range(count)]
    for i, condition_id in enumerate(ids):
        rng = text.rng
        others = [other for other in rng.sample(ids, min(3, count)) if other != condition_id]
        cited = rng.sample(sources, rng.randint(1, 2))
        record: dict[str, Any] = {
            "id": condition_id,
            "name": f"{text.english()} syndrome {i + 1}",
            "key_features": _cited(rng, text.items(2, 5), cited),
            "hallmarks": _cited(rng, text.items(0, 2, (8, 16)), cited),
            "cause": text.sentence(10, 24),
            "workup": _cited(rng, text.items(0, 3), cited),
            "treatment": _cited(rng, text.items(0, 3), cited),
            "distinguish_from": [
                {"condition": other, "how": text.sentence(10, 20)}
                | ({"sources": own} if (own := _own_sources(rng, cited)) else {})
                for other in others[: rng.randint(1, 2)]
            ],
            "red_flags": _cited(rng, text.items(0, 2), cited),
            "tags": [f"topic::t{rng.randint(1, 30)}"],
            "sources": cited,
        }
        if own := _own_sources(rng, cited):
            record["cause_sources"] = own
        _dump(root / "conditions" / f"{condition_id}.yaml", record)


def _facts(root: Path, text: _Text, count: int, sources: list[str]) -> tuple[Path, dict[str, Any]]:
    middle: tuple[Path, dict[str, Any]] | None = None
    for i in range(count):
        rng = text.rng
        fact_id = f"fact-{i + 1}"
        record: dict[str, Any] = {
            "id": fact_id,
            "question": text.sentence(8, 18).rstrip(".") + "?",
            "answer": text.sentence(4, 14),
        }
        if rng.random() < 0.6:
            record["extra"] = text.sentence(10, 26)
        record["tags"] = [f"topic::t{rng.randint(1, 30)}"]
        record["sources"] = rng.sample(sources, rng.randint(1, 2))
        path = root / "facts" / f"{fact_id}.yaml"
        _dump(path, record)
        if i == count // 2:
            middle = (path, record)
    assert middle is not None
    return middle


def _drawing(index: int) -> str:
    """A base drawing of realistic size (~6 kB): an outline and a few hundred path points."""
    rng = random.Random(index)
    paths = []
    for _ in range(24):
        points = " ".join(
            f"{rng.uniform(20, 380):.1f},{rng.uniform(20, 480):.1f}" for _ in range(12)
        )
        paths.append(f'<path d="M{points}" fill="none" stroke="#888" stroke-width="1.5"/>')
    outline = '<ellipse cx="200" cy="250" rx="170" ry="230" fill="none" stroke="#444"/>'
    return "\n".join([_SVG_HEADER, outline, *paths, "</svg>", ""])


def _dump(path: Path, data: dict[str, Any]) -> None:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    text = yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False, width=100)
    path.write_text(text, encoding="utf-8")
