"""Transition aliases: the old import path of every module moved by the re-housing (issue #13,
docs/ARCHITECTURE.md) keeps working, so work written against the old layout still runs.

``import bot.handlers.groups`` gives the module ``bot.features.groups.handlers`` itself (the same
module object, so ``monkeypatch.setattr("bot.handlers.groups.x", ...)`` patches the real one). The
old files are gone (a move is a rename git can follow), so the aliases live here and not in stub
files. Each entry is removed once nothing imports its old path any more
(``grep -rn "bot.handlers.groups" bot tests bench``); the table empties as features settle.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from types import ModuleType

# old dotted name -> new dotted name (transition aliases, removed when nothing imports the old one)
MOVED: dict[str, str] = {
    "bot.handlers.enrol": "bot.features.enrolment.handlers",
    "bot.services.enrolment": "bot.features.enrolment.service",
    "bot.handlers.profile": "bot.features.profile.handlers",
    "bot.handlers.organizer": "bot.features.programs.handlers",
    "bot.services.programs": "bot.features.programs.service",
    "bot.services.program_file": "bot.features.programs.program_file",
    "bot.services.invites": "bot.features.programs.invites",
    "bot.handlers.groups": "bot.features.groups.handlers",
    "bot.handlers.groups_texts": "bot.features.groups.texts",
    "bot.services.groups": "bot.features.groups.service",
    "bot.services.groups_gate": "bot.features.groups.gate",
    "bot.services.group_lookup": "bot.features.groups.lookup",
    "bot.clitools.groups": "bot.features.groups.cli",
    "bot.handlers.moderation": "bot.features.moderation.handlers",
    "bot.handlers.moderation_common": "bot.features.moderation.common",
    "bot.handlers.moderation_rules": "bot.features.moderation.rules_handlers",
    "bot.handlers.moderation_ops": "bot.features.moderation.ops",
    "bot.handlers.moderation_bursts": "bot.features.moderation.bursts",
    "bot.handlers.moderation_texts": "bot.features.moderation.texts",
    "bot.services.moderation": "bot.features.moderation.service",
    "bot.services.appeals": "bot.features.moderation.appeals",
    "bot.services.reports": "bot.features.moderation.reports",
    "bot.services.notices": "bot.features.moderation.notices",
    "bot.services.rules": "bot.features.moderation.rules",
    "bot.services.modlog": "bot.features.moderation.modlog",
    "bot.clitools.moderation": "bot.features.moderation.cli",
    "bot.handlers.sessions": "bot.features.sessions.handlers",
    "bot.handlers.sessions_render": "bot.features.sessions.render",
    "bot.handlers.sessions_texts": "bot.features.sessions.texts",
    "bot.services.sessions": "bot.features.sessions.service",
    "bot.services.findtime": "bot.features.sessions.findtime",
    "bot.services.participation": "bot.features.sessions.participation",
    "bot.services.schedule_view": "bot.features.sessions.schedule_view",
    "bot.jobs.sessions": "bot.features.sessions.jobs",
    "bot.jobs.counting": "bot.features.sessions.counting",
    "bot.clitools.sessions": "bot.features.sessions.cli",
    "bot.handlers.feedback": "bot.features.feedback.handlers",
    "bot.handlers.feedback_messages": "bot.features.feedback.messages",
    "bot.handlers.feedback_texts": "bot.features.feedback.texts",
    "bot.services.feedback": "bot.features.feedback.service",
    "bot.services.feedback_store": "bot.features.feedback.store",
    "bot.services.surveys": "bot.features.feedback.surveys",
    "bot.services.evaluation": "bot.features.feedback.evaluation",
    "bot.jobs.feedback": "bot.features.feedback.jobs",
    "bot.clitools.feedback": "bot.features.feedback.cli",
    "bot.services.privacy": "bot.features.privacy.service",
}


def legacy_name(module: str) -> str:
    """The old dotted name of a moved module (or of a module inside a moved package that was
    split), so names derived from module paths (log fields, metric labels) stay as they were."""
    for old, new in MOVED.items():
        if module == new or module.startswith(new + "."):
            return old
    return module


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None  # a placeholder; exec_module puts the real module in its place

    def exec_module(self, module: ModuleType) -> None:
        # The import system reads sys.modules again after exec_module, so the old name ends up
        # bound to the moved module itself (and so does the attribute on the parent package).
        sys.modules[module.__name__] = importlib.import_module(self.target)


class _AliasFinder(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        new = MOVED.get(fullname)
        if new is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(new))


def install() -> None:
    if not any(isinstance(finder, _AliasFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _AliasFinder())
