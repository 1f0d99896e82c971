"""What a YAML syntax error means, said where the author can fix it: the problems
reported for a file that PyYAML cannot parse (tabs in the indentation, unclosed quotes
and brackets, misplaced keys and list items, characters YAML does not allow)."""

from __future__ import annotations

from pathlib import Path

import yaml

from deckgen.source.errors import Problem, problem_at


def _tab_problems(path: Path, text: str) -> list[Problem]:
    """One problem per line indented with a tab character."""
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            column = indent.index("\t") + 1
            message = "tab character in the indentation; YAML indents with spaces only"
            problems.append(problem_at(path, number, column, message))
    return problems


_UNCLOSED = {
    "while scanning a quoted scalar": "quoted text is never closed; add the closing quote",
    "while parsing a flow sequence": "'[' is never closed; add the matching ']'",
    "while parsing a flow mapping": "'{' is never closed; add the matching '}'",
}
_FOUND = {
    "<block mapping start>": "this key is indented differently from the keys above it",
    "?": "a key where a list item was expected; check the indentation",
    "-": "a list item where a key was expected; check the indentation",
}


def _syntax_problems(path: Path, text: str, exc: yaml.MarkedYAMLError) -> list[Problem]:
    """Say what a YAML syntax error means, where the author can fix it."""
    problem, context = exc.problem or "", exc.context or ""
    mark, start = exc.problem_mark or exc.context_mark, exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)

    def at(line: int, column: int, message: str) -> list[Problem]:
        return [problem_at(path, line, column, f"YAML syntax error: {message}")]

    if "'\\t'" in problem:
        tabs = _tab_problems(path, text)
        if any(p.line == line for p in tabs):
            return tabs
        return at(line, column, "a tab character is not allowed here; use spaces")
    if isinstance(exc, yaml.constructor.ConstructorError):
        what = problem.replace("could not determine a constructor for the tag", "unknown tag")
        return [problem_at(path, line, column, f"YAML error: {what or 'invalid value'}")]
    if (
        start is not None
        and context in _UNCLOSED
        and ("end of stream" in problem or "<stream end>" in problem)
    ):
        return at(start.line + 1, start.column + 1, _UNCLOSED[context])
    if "another document" in problem:
        return at(line, column, "a second YAML document starts here; keep one note per file")
    if problem == "mapping values are not allowed here":
        message = "':' is not allowed here; quote a value that contains ': ' or fix the indentation"
        return at(line, column, message)
    if problem.startswith("expected <block end>, but found "):
        token = problem.removeprefix("expected <block end>, but found ").strip("'")
        return at(line, column, _FOUND.get(token, f"unexpected '{token}'"))
    if problem.startswith("found character ") and "cannot start any token" in problem:
        char = problem.removeprefix("found character ").split(" ")[0]
        return at(line, column, f"{char} cannot start a value; put the value in quotes")
    if problem == "could not find expected ':'" and start is not None:
        return at(start.line + 1, start.column + 1, "expected 'key: value', found no ':'")
    what = problem or context or "invalid YAML"
    if context.startswith("while ") and start is not None and problem:
        what += f" ({context} at line {start.line + 1}, column {start.column + 1})"
    return at(line, column, what)


def _reader_problem(path: Path, text: str, exc: yaml.reader.ReaderError) -> Problem:
    position = min(max(exc.position, 0), len(text))
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
    message = f"control character U+{code:04X} is not allowed in YAML; remove it"
    return problem_at(path, line, column, message)
