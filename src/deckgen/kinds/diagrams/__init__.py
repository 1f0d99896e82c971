"""Base drawings for point diagrams, shipped as package data (one SVG per region)."""

from __future__ import annotations

from importlib import resources

#: Built-in diagram name -> title. Each has `<name>.svg` beside this module.
BUILTIN: dict[str, str] = {
    "face-front": "Face, front view",
    "face-profile": "Face, side view",
    "hand-dorsum": "Hand, back",
    "leg-front": "Lower leg, front",
    "foot-dorsum": "Foot, top",
    "forearm-back": "Forearm, back",
    "head-back": "Back of the head and neck",
}


#: Front and back views of the head: a bilateral point may be shown on either side.
SYMMETRIC: frozenset[str] = frozenset({"face-front", "head-back"})


def builtin_svg(name: str) -> bytes:
    """The SVG bytes of a built-in base drawing."""
    return (resources.files(__package__) / f"{name}.svg").read_bytes()
