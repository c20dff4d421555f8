"""Table definitions. Each module holds the tables one service owns; `metadata` collects them all."""

from shared.models.base import Base, metadata
from shared.models.core import ApiKey, ConsumedMessage, OutboxMessage, Project

__all__ = ["ApiKey", "Base", "ConsumedMessage", "OutboxMessage", "Project", "metadata", "load_all"]


def load_all() -> None:
    """Import every service's table module so `metadata` is complete (migrations, tests)."""
    import importlib
    import pkgutil

    import shared.models as pkg

    for mod in pkgutil.iter_modules(pkg.__path__):
        importlib.import_module(f"shared.models.{mod.name}")
