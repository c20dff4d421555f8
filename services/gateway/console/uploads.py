"""A console form with one file (multipart), read as it arrives: the CSRF field is checked before any byte of the
file is kept, and the file is refused past its size limit (with or without a Content-Length).

Browsers send a form's fields in document order, so a form that puts its CSRF input before the file input has the
token checked first; a body that starts the file before a valid token is refused (403) without reading it.
The role is checked by the caller (`project_access`) before this reads anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request
from python_multipart.multipart import MultipartParser, parse_options_header

from services.gateway.console.access import ConsoleProblem
from services.gateway.console.sessions import Viewer, csrf_ok
from shared.digits import ascii_digits

FIELD_LIMIT = 4096  # bytes of one ordinary field
MAX_FIELDS = 20
OVERHEAD = 64 * 1024  # room for the other fields and the parts' headers around the file


class UploadTooLarge(Exception):
    """The file (or the whole body) is over the limit; nothing of it was used."""


class _Expired(Exception):
    pass


class _Malformed(Exception):
    pass


@dataclass
class Upload:
    fields: dict[str, str] = field(default_factory=dict)
    filename: str = ""
    content: bytes = b""

    def get(self, name: str, max_len: int = 1000) -> str:
        return self.fields.get(name, "").strip()[:max_len]


class _Reader:
    def __init__(self, viewer: Viewer, file_field: str, limit: int) -> None:
        self.viewer, self.file_field, self.limit = viewer, file_field, limit
        self.upload = Upload()
        self.csrf_checked = False
        self._file = bytearray()
        self._data = bytearray()
        self._header_name = b""
        self._header_value = b""
        self._disposition = b""
        self._name = ""
        self._is_file = False
        self._files = 0

    # python-multipart callbacks (called from parser.write)
    def on_part_begin(self) -> None:
        self._data.clear()
        self._disposition, self._name, self._is_file = b"", "", False

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        if self._header_name.strip().lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name, self._header_value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        name = options.get(b"name")
        if name is None:
            raise _Malformed("a part has no name")
        self._name = name.decode("utf-8", "replace")
        if b"filename" in options:
            if not self.csrf_checked:
                raise _Expired  # the file comes before a valid token: not one byte of it is kept
            self._files += 1
            if self._name != self.file_field or self._files > 1:
                raise _Malformed("unexpected file")
            self._is_file = True
            self.upload.filename = options[b"filename"].decode("utf-8", "replace")[:500]
        elif len(self.upload.fields) >= MAX_FIELDS:
            raise _Malformed("too many fields")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._is_file:
            if len(self._file) + (end - start) > self.limit:
                raise UploadTooLarge
            self._file += data[start:end]
        else:
            if len(self._data) + (end - start) > FIELD_LIMIT:
                raise _Malformed("a field is too long")
            self._data += data[start:end]

    def on_part_end(self) -> None:
        if self._is_file:
            return
        value = self._data.decode("utf-8", "replace")
        if self._name == "csrf":
            if not csrf_ok(self.viewer, value.strip()[:100]):
                raise _Expired
            self.csrf_checked = True
        self.upload.fields.setdefault(self._name, value)

    def result(self) -> Upload:
        self.upload.content = bytes(self._file)
        return self.upload


def _expired() -> ConsoleProblem:
    return ConsoleProblem(403, "Form expired", "The form expired. Reload the page and try again.")


async def read_upload(request: Request, viewer: Viewer, *, file_field: str, limit: int) -> Upload:
    """The form's fields and its one file (at most `limit` bytes): 403 for a missing or wrong CSRF token,
    400 for a body that is not such a form, UploadTooLarge past the limit."""
    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise ConsoleProblem(400, "Not a file upload", "Send the form with its file (multipart/form-data).")
    length = request.headers.get("content-length")
    if ascii_digits(length, max_digits=40) and int(length) > limit + OVERHEAD:
        raise UploadTooLarge
    reader = _Reader(viewer, file_field, limit)
    callbacks = {
        "on_part_begin": reader.on_part_begin,
        "on_part_data": reader.on_part_data,
        "on_part_end": reader.on_part_end,
        "on_header_field": reader.on_header_field,
        "on_header_value": reader.on_header_value,
        "on_header_end": reader.on_header_end,
        "on_headers_finished": reader.on_headers_finished,
    }
    parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
    total = 0
    try:
        async for chunk in request.stream():
            total += len(chunk)
            if total > limit + OVERHEAD:
                raise UploadTooLarge
            parser.write(chunk)
        parser.finalize()
    except _Expired:
        raise _expired() from None
    except (UploadTooLarge, ConsoleProblem):
        raise
    except Exception:  # noqa: BLE001 - _Malformed, or python-multipart refusing the body: the client's problem
        raise ConsoleProblem(
            400, "Bad upload", "The form could not be read. Reload the page and try again."
        ) from None
    if not reader.csrf_checked:
        raise _expired()
    return reader.result()
