"""Cloze text: authors either list the phrases to hide, or write Anki's `{{c1::...}}` by hand."""

from __future__ import annotations

import re

CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.DOTALL)


def has_markup(text: str) -> bool:
    return "{{c" in text


def strip_cloze(text: str) -> str:
    """The text as read without any cloze hidden: `{{c1::a::hint}}` -> `a`."""
    return CLOZE.sub(lambda match: match.group(2), text)


def cloze_text(text: str, phrases: list[str]) -> str | None:
    """The cloze version of `text`: as written if it has `{{c1::...}}` markup, else with
    `phrases` wrapped; None when there is nothing to hide."""
    if has_markup(text):
        return text
    return make_cloze(text, phrases) if phrases else None


def make_cloze(text: str, phrases: list[str]) -> str:
    """Wrap each phrase (found in `text`) as c1, c2, ... in the order given."""
    result = text
    for number, phrase in enumerate(phrases, start=1):
        result = result.replace(phrase, f"{{{{c{number}::{phrase}}}}}", 1)
    return result


def cloze_issues(text: str, phrases: list[str]) -> list[tuple[int | None, str]]:
    """What is wrong with a cloze specification, in words, each with the index of the
    phrase at fault (None: the text); empty when it is fine."""
    problems: list[tuple[int | None, str]] = []
    if has_markup(text) or "{{" in text or "}}" in text:
        if phrases and has_markup(text):
            message = "give cloze phrases or {{c1::...}} markup in the text, not both"
            problems.append((0, message))
        matches = list(CLOZE.finditer(text))
        rest = CLOZE.sub("", text)
        if text.count("{{") != text.count("}}"):
            problems.append((None, "unbalanced cloze braces: every '{{' needs a matching '}}'"))
        elif "{{" in rest or "}}" in rest:
            start = rest.find("{{")
            end = rest.find("}}", start)
            shown = rest[start : end + 2] if 0 <= start < end else "}}"
            shown = shown if len(shown) <= 40 else shown[:37] + "..."
            problems.append((None, f"malformed cloze '{shown}': write {{{{c1::hidden text}}}}"))
        for match in matches:
            if not match.group(2).strip():
                problems.append((None, f"empty cloze {{{{c{match.group(1)}::}}}}"))
        numbers = sorted({int(match.group(1)) for match in matches})
        if numbers and numbers != list(range(1, len(numbers) + 1)):
            found = ", ".join(f"c{number}" for number in numbers[:10])
            if numbers[0] < 1:
                problems.append((None, f"cloze numbers start at c1 (found {found})"))
            else:
                missing = next(n for n in range(1, len(numbers) + 2) if n not in numbers)
                problems.append((None, f"cloze numbers skip c{missing} (found {found})"))
        return problems
    seen: set[str] = set()
    made = make_cloze(text, phrases)
    for index, phrase in enumerate(phrases):
        if phrase not in text:
            problems.append((index, f"cloze phrase '{phrase}' does not occur in the text"))
        elif phrase in seen:
            problems.append((index, f"cloze phrase '{phrase}' is listed twice"))
        elif f"{{{{c{index + 1}::" not in made:
            message = f"cloze phrase '{phrase}' overlaps an earlier phrase"
            problems.append((index, message))
        seen.add(phrase)
    return problems
