"""Signed, expiring, single-purpose tokens for links in mail and pages (confirm, preferences, unsubscribe)."""

from __future__ import annotations

from typing import Any

from itsdangerous import BadSignature, Serializer, SignatureExpired, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode

from shared.errors import BadRequest, Gone


class TokenInvalid(BadRequest):
    error = "invalid_token"


class TokenExpired(Gone):
    """Expired but authentic: `payload` says whom it was for, so a fresh one can be offered."""

    error = "expired_token"

    def __init__(self, detail: str, payload: dict[str, Any]):
        super().__init__(detail)
        self.payload = payload


class _UncompressedSerializer(URLSafeTimedSerializer):
    """Never zlib-compresses: a compressed payload starts the token with ".", which the gateway refuses in a path
    (and a few more bytes in a link cost nothing). Compressed tokens still verify."""

    def dump_payload(self, obj: Any) -> bytes:
        return base64_encode(Serializer.dump_payload(self, obj))


class TokenCodec:
    """Signs dict payloads per purpose; a token of one purpose never verifies as another."""

    def __init__(self, secret: str) -> None:
        self._secret = secret
        self._serializers: dict[str, URLSafeTimedSerializer] = {}

    def _serializer(self, purpose: str) -> URLSafeTimedSerializer:
        s = self._serializers.get(purpose)
        if s is None:  # a handful of purposes: built once each (every mail signs two or three links)
            s = self._serializers[purpose] = _UncompressedSerializer(self._secret, salt=f"sesame.{purpose}")
        return s

    def sign(self, purpose: str, payload: dict[str, Any]) -> str:
        """A URL-safe token carrying `payload` for `purpose`."""
        return str(self._serializer(purpose).dumps(payload))

    def verify(self, purpose: str, token: str, max_age: float | None = None) -> dict[str, Any]:
        """The payload, or TokenInvalid / TokenExpired (4xx errors with reasons)."""
        if not token or len(token) > 4096:
            raise TokenInvalid("token missing or too long")
        s = self._serializer(purpose)
        try:
            payload = s.loads(token, max_age=int(max_age) if max_age is not None else None)
        except SignatureExpired as exc:
            try:
                data = s.load_payload(exc.payload) if exc.payload is not None else {}
            except BadSignature:
                data = {}
            raise TokenExpired("this link has expired", data if isinstance(data, dict) else {}) from None
        except BadSignature:
            raise TokenInvalid("this link is not valid (tampered, or meant for something else)") from None
        if not isinstance(payload, dict):
            raise TokenInvalid("malformed token")
        return payload
