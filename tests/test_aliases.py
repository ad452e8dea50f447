"""The transition aliases of the re-housing (bot/_aliases.py): every old import path gives the
moved module itself, so code written against the old layout keeps working unchanged."""

import importlib

import pytest

from bot import _aliases


@pytest.mark.parametrize("old", sorted(_aliases.MOVED))
def test_an_old_import_path_gives_the_moved_module_itself(old: str) -> None:
    new = importlib.import_module(_aliases.MOVED[old])
    assert importlib.import_module(old) is new
    package, _, name = old.rpartition(".")
    assert getattr(importlib.import_module(package), name) is new
    assert new.__name__ == _aliases.MOVED[old]  # the module keeps its own name and spec


def test_from_import_of_an_old_path_binds_the_moved_module() -> None:
    from bot.features.groups import handlers
    from bot.handlers import groups

    assert groups is handlers
