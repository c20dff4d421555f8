"""Every `sesame …` command the operations docs tell an operator to type is a command the CLI accepts."""

from __future__ import annotations

import re
import shlex

import pytest

from sesame.cli import build_parser
from tests.ops.conftest import ROOT

COMMAND = re.compile(
    r"\bsesame ((?:run|serve|migrate|status|deadletters|doctor|config|project|contacts|ses|secrets)\b[^`|\n#…]*)"
)
PLACEHOLDERS = {
    "QUEUE": "q", "ID": "1", "NAME": "n", "REV": "base", "<svc>": "sender", "<service>": "sender",
    "KEY_ID": "1", "EMAIL": "ops@example.com", "OLD": "k1", "NEW": "k2", "$OLD_KEY": "k1", "$NEW_KEY": "k2",
}  # fmt: skip


def _documented_commands() -> list[tuple[str, str]]:
    found = []
    for doc in (ROOT / "docs" / "operations.md", ROOT / "README.md"):
        for m in COMMAND.finditer(doc.read_text()):
            text = m.group(1).split(" / ")[0].replace("[", "").replace("]", "").strip().rstrip(".,;:)")
            text = text.replace("\\", "").replace("subscriptions|events|sender|gateway", "sender")
            found.append((doc.name, text))
    return found


def test_docs_name_the_operator_commands() -> None:
    commands = {c.split()[0] for _, c in _documented_commands()}
    expected = {"status", "deadletters", "migrate", "serve", "run", "config", "project", "ses", "secrets"}
    assert expected <= commands


@pytest.mark.parametrize(("doc", "command"), _documented_commands())
def test_documented_command_parses(doc: str, command: str) -> None:
    argv = [PLACEHOLDERS.get(tok, tok) for tok in shlex.split(command)]
    argv = (
        [a for a in argv if a not in ("--write", "--check")]
        if "--write" in argv and "--check" in argv
        else argv
    )
    try:
        args = build_parser().parse_args(argv)
    except SystemExit:
        pytest.fail(f"{doc}: `sesame {command}` is not a valid command")
    assert callable(args.func)
