"""The actor: who performs an action and through which door (web, API, CLI)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CHANNELS = ("web", "api", "cli", "system")


@dataclass(frozen=True)
class Actor:
    """The person (or the system) on whose behalf an action runs.

    ``user`` is None only for the system itself (migrations, the demo loader, scheduled
    jobs); such an actor may do everything and is audited as "system".
    """

    user: Any = None
    channel: str = "system"

    @classmethod
    def system(cls) -> Actor:
        return cls(user=None, channel="system")

    @property
    def is_system(self) -> bool:
        return self.user is None

    def __str__(self) -> str:
        return "system" if self.user is None else self.user.get_username()
