"""Command-line options handed on to the job they configure, by name.

Every command that trains or evaluates reads its options and passes most of them on under the
same name; these two calls do that once, so a new option cannot be read in one command and
forgotten in its twin.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Settings = TypeVar("Settings", bound="DataclassInstance")


def picked(args: argparse.Namespace, *names: str) -> dict[str, Any]:
    """The options ``names`` as keyword arguments."""
    return {name: getattr(args, name) for name in names}


def settings(kind: type[Settings], args: argparse.Namespace, **given: Any) -> Settings:
    """A job's settings (a dataclass) from its command line: each field with an option of the
    same name as given there (a path field as a ``Path``), ``given`` for the rest."""
    options = vars(args)
    same = {}
    for item in dataclasses.fields(kind):
        if item.name in options and item.name not in given:
            value = options[item.name]
            path = isinstance(value, str) and "Path" in str(item.type)
            same[item.name] = Path(value) if path else value
    return kind(**same, **given)
