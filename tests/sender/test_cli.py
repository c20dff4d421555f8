"""`sesame ses rotate-key` and `sesame ses status`, and credentials at rest."""

from __future__ import annotations

import sqlalchemy as sa
from cryptography.fernet import Fernet

from sesame.commands.secrets import Rotated, rotate_keys
from sesame.commands.ses import collect_status
from shared.crypto import decrypt
from shared.models.sender import SesAccount
from tests.sender.conftest import Sender, make_project
from tests.sender.test_campaign import KEYS, connect, standin  # noqa: F401


async def test_credentials_encrypted_and_rotated(sender_factory, standin, db_url: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    async with sender_factory(ses_endpoint_url=standin.url) as s:
        s: Sender
        pid = await make_project(s.rt)
        await connect(s, pid)
        old = s.rt.settings.security.encryption_key
        async with s.rt.uow() as sess:
            row = (await sess.execute(sa.select(SesAccount))).scalar_one()
            assert KEYS["secret_access_key"] not in (row.secret_access_key_enc or "")
            assert decrypt(old, row.secret_access_key_enc) == KEYS["secret_access_key"]
        status = await collect_status(db_url, pid)
        assert status[0]["mode"] == "ses" and status[0]["quota"]["max_send_rate"] > 0
    new = Fernet.generate_key().decode()
    assert await rotate_keys(db_url, old, new) == Rotated(ses_accounts=1, webhook_endpoints=0)
    # idempotent: already rotated rows pass through
    assert await rotate_keys(db_url, old, new) == Rotated(ses_accounts=1, webhook_endpoints=0)
    from shared.db.engine import create_engine, create_sessionmaker
    from shared.settings import DatabaseSettings

    engine = create_engine(DatabaseSettings(url=db_url))
    async with create_sessionmaker(engine)() as sess:
        row = (await sess.execute(sa.select(SesAccount))).scalar_one()
        assert decrypt(new, row.secret_access_key_enc) == KEYS["secret_access_key"]
        assert decrypt(new, row.access_key_id_enc) == KEYS["access_key_id"]
    await engine.dispose()
