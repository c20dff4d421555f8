"""`sesame deadletters list|replay`: inspect and replay dead-lettered bus messages (through the Bus protocol).

Replaying puts the messages back on their queue as first attempts; consumers are idempotent, so replaying a
message whose effect was already applied is harmless. Fix the cause first (the reason is listed), or the
messages come straight back.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from sesame.commands._common import load_settings, run
from sesame.commands.status import known_queues
from shared.bus.protocol import DEAD_REASON_HEADER, Bus, Envelope


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("deadletters", help="list or replay dead-lettered bus messages")
    dl = p.add_subparsers(dest="deadletters_command", metavar="ACTION", required=True)
    ls = dl.add_parser("list", help="dead letters of QUEUE (or a count per known queue without QUEUE)")
    ls.add_argument("queue", nargs="?", metavar="QUEUE")
    ls.add_argument("--json", action="store_true", help="one JSON object per message")
    ls.add_argument("--payload-chars", type=int, default=200, help="truncate payloads in the text output")
    ls.set_defaults(func=_list)
    rp = dl.add_parser("replay", help="move QUEUE's dead letters back onto it")
    target = rp.add_mutually_exclusive_group(required=True)
    target.add_argument("queue", nargs="?", metavar="QUEUE")
    target.add_argument("--all", action="store_true", help="every known queue")
    rp.set_defaults(func=_replay)


def describe(env: Envelope) -> dict[str, Any]:
    """An operator's view of one dead letter."""
    return {
        "message_id": env.message_id,
        "routing_key": env.routing_key,
        "attempts": env.attempt,
        "reason": env.headers.get(DEAD_REASON_HEADER, ""),
        "payload": env.payload,
    }


async def list_dead(bus: Bus, queue: str) -> list[dict[str, Any]]:
    return [describe(env) for env in await bus.dead_letters(queue)]


async def replay(bus: Bus, queues: list[str]) -> dict[str, int]:
    """Replay each queue's dead letters; returns how many moved per queue."""
    return {q: await bus.replay_dead_letters(q) for q in queues}


def _broker_settings() -> Any:
    settings = load_settings()
    if settings.bus.is_memory:
        raise ValueError(
            "dead letters live in the broker: set SESAME_BUS_URL=amqp://… (the in-process bus of `sesame run` "
            "keeps them inside that process)"
        )
    return settings


async def _with_bus(fn: Any, *args: Any) -> Any:
    from shared.bus import create_bus

    settings = _broker_settings()
    bus = create_bus(settings.bus)
    await bus.start()
    try:
        return await fn(bus, *args)
    finally:
        await bus.close()


def _warn_unknown(queue: str) -> None:
    known = known_queues()
    if queue not in known:
        print(
            f"sesame: warning: {queue!r} is not a queue any service consumes ({', '.join(known)})",
            file=sys.stderr,
        )


def _list(args: argparse.Namespace) -> int:
    _broker_settings()
    if args.queue is None:

        async def counts(bus: Bus) -> dict[str, int]:
            return {q: len(await bus.dead_letters(q)) for q in known_queues()}

        for q, n in run(_with_bus(counts)).items():
            print(f"{q}\t{n}")
        return 0
    _warn_unknown(args.queue)
    items = run(_with_bus(list_dead, args.queue))
    for item in items:
        if args.json:
            print(json.dumps(item, default=str))
        else:
            payload = json.dumps(item["payload"], default=str)
            if len(payload) > args.payload_chars:
                payload = payload[: args.payload_chars] + "…"
            print(
                f"{item['message_id']}  {item['routing_key']}  attempts={item['attempts']}  {item['reason']}"
            )
            print(f"    {payload}")
    print(f"{len(items)} dead-lettered message(s) in {args.queue}", file=sys.stderr)
    return 0


def _replay(args: argparse.Namespace) -> int:
    _broker_settings()
    queues = known_queues() if args.all else [args.queue]
    if not args.all:
        _warn_unknown(args.queue)
    moved = run(_with_bus(replay, queues))
    for q, n in moved.items():
        print(f"{q}\t{n} replayed")
    return 0
