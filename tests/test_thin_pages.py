"""Thin pages (issue 17): every page script app.py registers is short, and no function in it
reads a module-level variable: a page function takes what it uses as parameters."""

from __future__ import annotations

import ast
import symtable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 150
COMPREHENSIONS = ("listcomp", "setcomp", "dictcomp", "genexpr")


def page_scripts() -> list[str]:
    """The ``views/*.py`` paths app.py hands to ``st.Page``, read from its source."""
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    found = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.startswith("views/")
        and node.value.endswith(".py")
    }
    return sorted(found)


def global_reads(source: str, filename: str) -> list[str]:
    """``function: name`` for each module-level variable a function (or lambda) reads.

    Allowed: imports, functions and classes defined in the module, UPPER_CASE constants and
    builtins. Python's own symbol tables decide what is global, so a parameter or a local
    that shadows a module name is never reported.
    """
    module = symtable.symtable(source, filename, "exec")
    variables = {
        s.get_name()
        for s in module.get_symbols()
        if s.is_assigned()
        and not s.is_imported()
        and not s.is_namespace()
        and not s.get_name().isupper()
    }
    found: list[str] = []

    def visit(table: symtable.SymbolTable, path: str, in_function: bool) -> None:
        for child in table.get_children():
            where = f"{path}{child.get_name()}"
            # A comprehension is a scope of its own, but one in the page's top level is the
            # script itself, not a function.
            inside = in_function or (
                child.get_type() == "function" and child.get_name() not in COMPREHENSIONS
            )
            if inside:
                found.extend(
                    f"{where}: {s.get_name()}"
                    for s in child.get_symbols()
                    if s.is_referenced() and s.is_global() and s.get_name() in variables
                )
            visit(child, f"{where}.", inside)

    visit(module, "", in_function=False)
    return found


def test_app_registers_the_pages() -> None:
    pages = page_scripts()
    assert "views/diagnose.py" in pages and "views/signin.py" in pages
    assert all((ROOT / page).is_file() for page in pages)


@pytest.mark.parametrize("page", page_scripts())
def test_a_page_script_is_short(page: str) -> None:
    lines = len((ROOT / page).read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{page} has {lines} lines; move drawing helpers into views/"


@pytest.mark.parametrize("page", page_scripts())
def test_no_page_function_reads_a_global(page: str) -> None:
    source = (ROOT / page).read_text(encoding="utf-8")
    assert global_reads(source, page) == []


@pytest.mark.parametrize(
    "helper", sorted(str(p.relative_to(ROOT)) for p in (ROOT / "views").glob("*.py"))
)
def test_no_view_helper_function_reads_a_global(helper: str) -> None:
    """The view helpers keep the same rule, so a page's parameters reach all the way down."""
    source = (ROOT / helper).read_text(encoding="utf-8")
    assert global_reads(source, helper) == []


def test_the_global_check_finds_a_global_read_and_allows_the_rest() -> None:
    source = """
import os
from pathlib import Path
LIMIT = 3

def helper(x):
    return x

class Thing:
    pass

def reads(shadow):
    shadow = language
    return lambda: user

def fine(language):
    total = LIMIT + len(os.sep) + helper(1)
    return Thing, Path, total, language, [user for user in range(2)]

def in_comprehension():
    return [language for _ in range(2)]

language = "en"
user = None
top_level = [language for _ in range(2)]
"""
    assert global_reads(source, "x.py") == [
        "reads: language",
        "reads.lambda: user",
        "in_comprehension.listcomp: language",
    ]
