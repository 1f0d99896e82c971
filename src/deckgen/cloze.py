"""Cloze text: authors either list the phrases to hide, or write Anki's `{{c1::...}}` by hand."""

from __future__ import annotations

import re

CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.DOTALL)


def has_markup(text: str) -> bool:
    return "{{c" in text


def strip_cloze(text: str) -> str:
    """The text as read without any cloze hidden: `{{c1::a::hint}}` -> `a`."""
    return CLOZE.sub(lambda match: match.group(2), text)


def make_cloze(text: str, phrases: list[str]) -> str:
    """Wrap each phrase (found in `text`) as c1, c2, ... in the order given."""
    result = text
    for number, phrase in enumerate(phrases, start=1):
        result = result.replace(phrase, f"{{{{c{number}::{phrase}}}}}", 1)
    return result


def cloze_problems(text: str, phrases: list[str]) -> list[str]:
    """What is wrong with a cloze specification, in words (empty when it is fine)."""
    problems: list[str] = []
    if has_markup(text):
        if phrases:
            problems.append("give cloze phrases or {{c1::...}} markup in the text, not both")
        if text.count("{{") != text.count("}}"):
            problems.append("unbalanced cloze braces: every '{{' needs a matching '}}'")
        matches = list(CLOZE.finditer(text))
        if not matches:
            problems.append("malformed cloze: write {{c1::hidden text}}")
        for match in matches:
            if not match.group(2).strip():
                problems.append(f"empty cloze {{{{c{match.group(1)}::}}}}")
        numbers = sorted({int(match.group(1)) for match in matches})
        if numbers and numbers != list(range(1, numbers[-1] + 1)):
            missing = sorted(set(range(1, numbers[-1] + 1)) - set(numbers))
            problems.append(f"cloze numbers skip c{missing[0]} (found {numbers})")
        return problems
    for phrase in phrases:
        if phrase not in text:
            problems.append(f"cloze phrase '{phrase}' does not occur in the text")
    if len(set(phrases)) != len(phrases):
        problems.append("the same cloze phrase is listed twice")
    return problems
