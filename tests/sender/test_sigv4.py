"""The hand-rolled SigV4 signer gives botocore's signature for the same request, and the SendEmail body is the
JSON SES expects."""

from __future__ import annotations

import base64
import json

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from services.sender.ses import send_email_body
from services.sender.sigv4 import SigV4Signer


@pytest.mark.parametrize(
    ("endpoint", "path", "body", "token"),
    [
        ("https://email.eu-west-1.amazonaws.com", "/v2/email/outbound-emails", b'{"a":1}', None),
        ("https://email.eu-west-1.amazonaws.com:443", "/v2/email/account", b"", "session-token/x+y="),
        ("http://127.0.0.1:4566", "/", b"Action=GetSendQuota&Version=2010-12-01", None),
        ("http://localhost:8080/prefix", "/v2/email/outbound-emails", b"x" * 5000, "tok"),
    ],
)
def test_signature_matches_botocore(endpoint: str, path: str, body: bytes, token: str | None) -> None:
    creds = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token)
    ctype = "application/json"
    req = AWSRequest(method="POST", url=endpoint + path, data=body, headers={"Content-Type": ctype})
    SigV4Auth(creds, "ses", "eu-west-1").add_auth(req)
    ours = SigV4Signer(endpoint, "eu-west-1").headers(
        "POST",
        path,
        body,
        ctype,
        access_key=creds.access_key,
        secret_key=creds.secret_key,
        token=token,
        amz_date=req.headers["X-Amz-Date"],
    )
    assert ours["Authorization"] == req.headers["Authorization"]
    assert ours.get("X-Amz-Security-Token") == req.headers.get("X-Amz-Security-Token")


def test_signing_key_follows_the_day_and_the_secret() -> None:
    s = SigV4Signer("https://email.us-east-1.amazonaws.com", "us-east-1")
    kw = {"access_key": "AK", "token": None}
    a = s.headers("GET", "/", b"", "t", secret_key="s1", amz_date="20260101T000000Z", **kw)
    b = s.headers("GET", "/", b"", "t", secret_key="s1", amz_date="20260102T000000Z", **kw)
    c = s.headers("GET", "/", b"", "t", secret_key="s2", amz_date="20260102T000000Z", **kw)
    d = s.headers("GET", "/", b"", "t", secret_key="s1", amz_date="20260101T000000Z", **kw)
    assert len({a["Authorization"], b["Authorization"], c["Authorization"]}) == 3
    assert d == a


def test_send_email_body_is_the_sesv2_document() -> None:
    raw = b"Subject: \xc3\xa9\r\n\r\nbody \x00\xff"
    doc = json.loads(send_email_body(raw, 'A "B" <a@example.com>', "to@example.org", [("k", "v 1")], "cfg"))
    assert doc == {
        "FromEmailAddress": 'A "B" <a@example.com>',
        "Destination": {"ToAddresses": ["to@example.org"]},
        "EmailTags": [{"Name": "k", "Value": "v_1"}],
        "ConfigurationSetName": "cfg",
        "Content": {"Raw": {"Data": base64.b64encode(raw).decode()}},
    }
    assert json.loads(send_email_body(b"x", "a@b.c", "d@e.f", [], None))["Content"]["Raw"]["Data"] == "eA=="
