"""AMQP topic-pattern matching for the in-process bus (`*` = one word, `#` = zero or more words)."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1024)
def topic_matches(pattern: str, routing_key: str) -> bool:
    """True when `routing_key` matches the AMQP topic `pattern`."""
    return _match(tuple(pattern.split(".")), tuple(routing_key.split(".")))


def _match(pat: tuple[str, ...], key: tuple[str, ...]) -> bool:
    if not pat:
        return not key
    head, rest = pat[0], pat[1:]
    if head == "#":
        return any(_match(rest, key[i:]) for i in range(len(key) + 1))
    if not key:
        return False
    return (head == "*" or head == key[0]) and _match(rest, key[1:])
