"""PyYAML loaders that read plain values as YAML 1.2 does (like editors), with libyaml's
C parser where it is available and the pure-Python parser to word errors."""

from __future__ import annotations

import re
from typing import Any

import yaml


class Loader(yaml.SafeLoader):
    """PyYAML's safe loader reading plain values as YAML 1.2 does (the core schema), like
    editors and the YAML language server: `yes`, `no`, `on`, `off`, `2024-05-01` and
    `1:20` are text, not a boolean, a date or a number in base 60; `010` is ten."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 (PyYAML keeps it so)

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        text = str(self.construct_scalar(node)).replace("_", "")
        sign = -1 if text.startswith("-") else 1
        digits = text.lstrip("+-")
        if digits.startswith("0o"):
            return sign * int(digits[2:], 8)
        if digits.startswith("0x"):
            return sign * int(digits[2:], 16)
        return sign * int(digits, 10)


def _core_schema() -> None:
    resolve = Loader.add_implicit_resolver
    resolve("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
    resolve(
        "tag:yaml.org,2002:bool",
        re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
        list("tTfF"),
    )
    resolve(
        "tag:yaml.org,2002:int",
        re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
        list("-+0123456789"),
    )
    resolve(
        "tag:yaml.org,2002:float",
        re.compile(
            r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
        ),
        list("-+0123456789."),
    )
    resolve("tag:yaml.org,2002:merge", re.compile(r"^(?:<<)$"), ["<"])
    Loader.add_constructor("tag:yaml.org,2002:int", Loader.construct_yaml_int)


_core_schema()


try:
    from yaml._yaml import CParser

    HAS_LIBYAML = True
except ImportError:  # PyYAML built without libyaml: the pure-Python parser does it all
    HAS_LIBYAML = False


if HAS_LIBYAML:

    class _FastLoader(CParser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
        """libyaml's C parser with `Loader`'s resolvers and constructors: the same nodes
        and marks, about ten times faster. Files it rejects are parsed again by `Loader`,
        whose messages the error reports are written for."""

        yaml_implicit_resolvers = Loader.yaml_implicit_resolvers
        yaml_constructors = Loader.yaml_constructors
        construct_yaml_int = Loader.construct_yaml_int

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)


def fast_compose(text: str) -> tuple[Any, yaml.Node | None] | None:
    """The composed document by libyaml, or None when the file needs the careful parser
    (libyaml missing, a character the reader would reject, or any YAML error)."""
    if not HAS_LIBYAML or yaml.reader.Reader.NON_PRINTABLE.search(text):
        return None
    loader = _FastLoader(text)
    try:
        return loader, loader.get_single_node()
    except yaml.YAMLError:
        loader.dispose()
        return None
