"""CSV exports: formula cells defused (OWASP CSV injection), the suppression export through the same writer."""

from __future__ import annotations

import csv
import io

from services.subscriptions.csv_export import CsvChunks, safe_cell
from tests.subscriptions.conftest import Svc


def test_cells_that_start_like_a_formula_get_a_quote() -> None:
    for raw in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "=cmd|' /C calc'!A0"):
        assert safe_cell(raw) == "'" + raw
    for raw in ("a=1", "ann@example.com", " =1", "", "'quoted", "1-2"):
        assert safe_cell(raw) == raw
    assert safe_cell(None) == "" and safe_cell(-3) == "'-3" and safe_cell(42) == "42"


def test_chunks_hand_out_what_was_written_since_the_last_take() -> None:
    out = CsvChunks(["a", "b"])
    out.row(["x,y", 'say "hi"'])
    first = out.take()
    assert first == 'a,b\r\n"x,y","say ""hi"""\r\n'
    assert out.take() == ""
    out.row(["=x", None])
    assert list(csv.reader(io.StringIO(first + out.take()))) == [["a", "b"], ["x,y", 'say "hi"'], ["'=x", ""]]


async def test_suppression_export_defuses_formulas(svc: Svc) -> None:
    _, h = await svc.project()
    r = await svc.client.post(
        "/v1/suppressions",
        json={"email": "x@example.com", "reason": "manual", "detail": '=HYPERLINK("http://evil","click")'},
        headers=h,
    )
    assert r.status_code == 201, r.text
    export = await svc.client.get("/v1/suppressions/export", headers=h)
    assert export.status_code == 200 and export.headers["content-disposition"].startswith("attachment;")
    (row,) = list(csv.DictReader(io.StringIO(export.text)))
    assert row["email"] == "x@example.com" and row["detail"] == '\'=HYPERLINK("http://evil","click")'
