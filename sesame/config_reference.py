"""The configuration reference (docs/configuration.md), generated from the registered settings classes.

`shared/settings.py` registers the common classes; each service registers its own in `services/<svc>/settings.py`
(imported here when present) or in any module its app imports. Run `sesame config reference --write` after
changing a setting; tests/ops/test_config_reference.py fails while the committed file is stale.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import types
import typing
from enum import Enum
from typing import Any, Literal

from pydantic import SecretStr
from pydantic_core import PydanticUndefined
from pydantic_settings import BaseSettings

from sesame.services import SERVICES
from shared.settings import DEV_ENCRYPTION_KEY, DEV_SECRET, registered_settings

DEFAULT_PATH = "docs/configuration.md"
REGENERATE = "sesame config reference --write"
_DEV_PLACEHOLDERS = {DEV_SECRET, DEV_SECRET + "-internal", DEV_ENCRYPTION_KEY}


def _import_if_present(module: str) -> None:
    """Import `module` if it exists; an error inside an existing module is a real error and propagates."""
    parent = module.rsplit(".", 1)[0]
    if importlib.util.find_spec(parent) is None or importlib.util.find_spec(module) is None:
        return
    importlib.import_module(module)


def load_all_settings() -> list[tuple[str, type[BaseSettings]]]:
    """(section, class) for every registered settings class: common first, then each service in order."""
    importlib.import_module("shared.settings")
    for svc in SERVICES:
        _import_if_present(f"services.{svc}.settings")
        # Settings registered elsewhere in a service are found through the modules its app imports.
        _import_if_present(f"services.{svc}.app")
    order = {cls: i for i, cls in enumerate(registered_settings())}
    sections: list[tuple[int, str, int, str, type[BaseSettings]]] = []
    for cls in registered_settings():
        mod = cls.__module__
        if mod.startswith("services."):
            svc = mod.split(".")[1]
            rank = 1 + (SERVICES.index(svc) if svc in SERVICES else len(SERVICES))
            section = svc
        elif mod.startswith(("shared.", "sesame.")):
            rank, section = 0, "common"
        else:
            continue  # test-only or third-party classes never belong in the product's reference
        sections.append((rank, mod, order[cls], section, cls))
    sections.sort(key=lambda t: (t[0], t[1] if t[0] else "", t[2]))
    return [(section, cls) for _, _, _, section, cls in sections]


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Literal:
        return "one of " + ", ".join(f"`{a}`" for a in args)
    if origin in (typing.Union, types.UnionType):
        parts = [a for a in args if a is not type(None)]
        inner = " or ".join(_type_name(a) for a in parts)
        return f"{inner} (optional)" if len(parts) < len(args) else inner
    if origin in (list, tuple, set, frozenset):
        inner = _type_name(args[0]) if args else "value"
        return f"list of {inner} (JSON)"
    if origin is dict:
        return "object (JSON)"
    if inspect.isclass(annotation):
        if issubclass(annotation, Enum):
            return "one of " + ", ".join(f"`{m.value}`" for m in annotation)
        if issubclass(annotation, SecretStr):
            return "secret"
        if issubclass(annotation, bool):
            return "bool"
        return annotation.__name__
    return str(annotation).replace("typing.", "")


def _default_text(field: Any) -> str:
    if field.default_factory is not None:
        value = field.default_factory()
    elif field.default is PydanticUndefined:
        return "**required**"
    else:
        value = field.default
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if isinstance(value, str) and (value in _DEV_PLACEHOLDERS or value == "admin"):
        return "development placeholder (refused when `SESAME_ENV=production`)"
    if value is None:
        return "(unset)"
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, list | tuple | dict):
        import json

        return f"`{json.dumps(list(value) if isinstance(value, tuple) else value)}`"
    return f"`{value}`" if value != "" else '`""`'


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def env_name(cls: type[BaseSettings], name: str, field: Any) -> str:
    """The environment variable a field reads (prefix + name, or its explicit alias)."""
    alias = field.validation_alias or field.alias
    if isinstance(alias, str):
        return alias.upper()
    prefix = cls.model_config.get("env_prefix", "") or ""
    return f"{prefix}{name}".upper()


def render_class(cls: type[BaseSettings]) -> str:
    prefix = cls.model_config.get("env_prefix", "") or ""
    doc = inspect.cleandoc(cls.__doc__ or "").strip()
    lines = [f"### {cls.__name__} (`{prefix}*`)", ""]
    if doc:
        lines += [_cell(doc), ""]
    lines += ["| variable | type | default | description |", "|---|---|---|---|"]
    for name, field in cls.model_fields.items():
        lines.append(
            f"| `{env_name(cls, name, field)}` | {_cell(_type_name(field.annotation))} | "
            f"{_cell(_default_text(field))} | {_cell(field.description or '')} |"
        )
    return "\n".join(lines)


def render() -> str:
    """The whole reference as Markdown (deterministic for a given set of settings classes)."""
    out = [
        "# Configuration reference",
        "",
        f"<!-- Generated by `{REGENERATE}` from the registered settings classes. Do not edit by hand. -->",
        "",
        "Every setting is an environment variable. Values are read once at start-up; lists and objects are JSON",
        "(`SESAME_BUS_RETRY_DELAYS=[1, 5, 30]`), booleans `true`/`false`. With `SESAME_ENV=production` the",
        "development placeholders for secrets, and secrets shorter than 16 characters, are refused at start-up.",
        "In Docker Compose the values come from `.env` (see `.env.example`); on Kubernetes from the `sesame-config`",
        "ConfigMap and the `sesame-secrets` Secret (see `deploy/`).",
        "",
    ]
    current = None
    for section, cls in load_all_settings():
        if section != current:
            current = section
            title = "Common settings (every service)" if section == "common" else f"Service `{section}`"
            out += [f"## {title}", ""]
        out += [render_class(cls), ""]
    return "\n".join(out).rstrip() + "\n"
