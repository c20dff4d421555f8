"""shared/db/grouped.py: concurrent rows share a statement; each caller gets its own outcome or its own error."""

from __future__ import annotations

import asyncio

import pytest

from shared.db.grouped import GroupedWrites


class Statements:
    """A stand-in statement: doubles each row, refuses negative ones (the whole statement fails, as in SQL)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.calls: list[list[int]] = []
        self.delay = delay

    async def write(self, rows: list[int]) -> list[int]:
        self.calls.append(list(rows))
        await asyncio.sleep(self.delay)
        if any(r < 0 for r in rows):
            raise ValueError(f"refused {min(rows)}")
        return [r * 2 for r in rows]


async def test_a_lone_row_goes_at_once_and_concurrent_rows_share_a_statement() -> None:
    st = Statements(delay=0.01)
    g = GroupedWrites(st.write, name="t")
    assert await g.submit(1) == 2
    assert st.calls == [[1]]
    # submitted together: they queue before the writer runs, and go in one statement
    results = await asyncio.gather(*(g.submit(i) for i in range(10, 20)))
    assert results == [i * 2 for i in range(10, 20)]
    assert st.calls[1:] == [list(range(10, 20))]


async def test_max_rows_splits_a_queue() -> None:
    st = Statements()
    g = GroupedWrites(st.write, name="t", max_rows=4)
    assert await asyncio.gather(*(g.submit(i) for i in range(10))) == [i * 2 for i in range(10)]
    assert [len(c) for c in st.calls] == [4, 4, 2]


async def test_a_refused_row_fails_only_its_own_caller() -> None:
    st = Statements()
    g = GroupedWrites(st.write, name="t")
    results = await asyncio.gather(*(g.submit(i) for i in (1, -5, 3)), return_exceptions=True)
    assert results[0] == 2 and results[2] == 6
    assert isinstance(results[1], ValueError) and "refused -5" in str(results[1])
    assert st.calls == [[1, -5, 3], [1], [-5], [3]]  # the statement, then row by row


async def test_a_caller_that_goes_away_leaves_its_row_written() -> None:
    st = Statements(delay=0.05)
    g = GroupedWrites(st.write, name="t")
    first = asyncio.ensure_future(g.submit(1))
    await asyncio.sleep(0)
    second = asyncio.ensure_future(g.submit(2))  # queued while the first statement runs
    await asyncio.sleep(0.01)
    second.cancel()
    assert await first == 2
    with pytest.raises(asyncio.CancelledError):
        await second
    await asyncio.sleep(0.1)
    assert st.calls == [[1], [2]]


async def test_stopping_the_writer_fails_the_waiting_callers() -> None:
    st = Statements(delay=10)
    g = GroupedWrites(st.write, name="t")
    waiting = [asyncio.ensure_future(g.submit(i)) for i in range(3)]
    await asyncio.sleep(0.01)
    assert g._writer is not None  # noqa: SLF001
    g._writer.cancel()  # noqa: SLF001 - as when the process stops
    for w in waiting:
        with pytest.raises(asyncio.CancelledError):
            await w
