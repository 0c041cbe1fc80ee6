"""Values handed on by name: command-line options to the job they configure, one settings or
row object to the next.

Commands read their options and pass most of them on under the same name, and one dataclass
is often filled from another's same-named fields; these two calls do that once, so a new
field cannot be copied in one place and forgotten in its twin.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Filled = TypeVar("Filled", bound="DataclassInstance")


def picked(args: argparse.Namespace, *names: str) -> dict[str, Any]:
    """The options ``names`` as keyword arguments."""
    return {name: getattr(args, name) for name in names}


def fill(kind: type[Filled], source: Mapping[str, Any] | object, **given: Any) -> Filled:
    """A ``kind`` (a dataclass) whose fields take ``source``'s values of the same name (a
    mapping, or an object such as parsed options or another dataclass), a string for a path
    field as a ``Path``; ``given`` for the rest (other names or types). A field ``source``
    lacks keeps its default."""
    values = source if isinstance(source, Mapping) else vars(source)
    same = {}
    for item in dataclasses.fields(kind):
        if item.name in values and item.name not in given:
            value = values[item.name]
            path = isinstance(value, str) and "Path" in str(item.type)
            same[item.name] = Path(value) if path else value
    return kind(**same, **given)
