"""`sesame ses connect` (registered through `register_connect`) against moto + the SESv2 stand-in."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
from typing import Any

import pytest

from services.sender.ses_setup.cli import register_connect
from tests.ses_setup.conftest import AwsEnv, make_project
from tests.ses_setup.test_doctor import add_account


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sesame")
    sub = parser.add_subparsers(dest="command")
    ses = sub.add_parser("ses")
    register_connect(ses.add_subparsers(dest="ses_command"))
    return parser


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    args = _parser().parse_args(argv)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = args.func(args)
    return code, out.getvalue(), err.getvalue()


async def test_ses_connect_command(
    sqlite_url: str, settings_for: Any, aws_env: AwsEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.runtime import Runtime

    rt = Runtime(settings_for(sqlite_url))
    try:
        pid = await make_project(rt)
        await add_account(rt, pid, "news@good.test")
    finally:
        await rt.engine.dispose()
    aws_env.verify_domain("good.test")
    for k, v in {
        "SESAME_DATABASE_URL": sqlite_url,
        "SESAME_PUBLIC_URL": "https://sesame.example.test",
        "SESAME_SES_SETUP_SES_ENDPOINT_URL": aws_env.moto_url,
        "SESAME_SES_SETUP_SNS_ENDPOINT_URL": aws_env.moto_url,
        "SESAME_SES_SETUP_SESV2_ENDPOINT_URL": aws_env.v2.url,
        "SESAME_SES_SETUP_CONFIRM_TIMEOUT": "5",
    }.items():
        monkeypatch.setenv(k, v)

    code, out, _ = await asyncio.to_thread(_run, ["ses", "connect", "--project", str(pid), "--dry-run"])
    assert code == 1 and "drift" in out.lower() and "changing" in out
    code, out, _ = await asyncio.to_thread(_run, ["ses", "connect", "--project", str(pid)])
    assert code == 0, out
    assert "* sns:CreateTopic(Name=sesame-" in out and "result: connected" in out
    assert "suppression list: 0 on SES" in out
    code, out, _ = await asyncio.to_thread(_run, ["ses", "connect", "--project", str(pid), "--json"])
    data = json.loads(out)
    assert code == 0 and data["connect"]["mutating_calls"] == 0
    code, _, err = await asyncio.to_thread(_run, ["ses", "connect", "--project", "424242"])
    assert code == 1 and ("no SES account" in err or "unknown project" in err)
