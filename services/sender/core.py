"""The sender's long-lived parts of one process (accounts, composer, worker, dispatcher), built at startup."""

from __future__ import annotations

from dataclasses import dataclass

from services.sender.accounts import Accounts
from services.sender.content import Composer
from services.sender.dispatcher import Dispatcher
from services.sender.settings import SenderSettings
from services.sender.worker import SendWorker
from shared.runtime import Runtime

_ATTR = "_sesame_sender_core"


@dataclass
class SenderCore:
    settings: SenderSettings
    accounts: Accounts
    composer: Composer
    worker: SendWorker
    dispatcher: Dispatcher

    async def close(self) -> None:
        await self.accounts.close()


def build_core(rt: Runtime, settings: SenderSettings | None = None) -> SenderCore:
    settings = settings or SenderSettings()
    accounts = Accounts(settings, rt.settings.security.encryption_key)
    composer = Composer(settings, rt.tokens, rt.settings.runtime.public_url)
    worker = SendWorker(rt, settings, accounts, composer)
    dispatcher = Dispatcher(rt, settings, accounts)
    return SenderCore(settings, accounts, composer, worker, dispatcher)


def get_core(rt: Runtime) -> SenderCore:
    core = getattr(rt, _ATTR, None)
    if core is None:
        raise RuntimeError("sender core not started")
    return core  # type: ignore[no-any-return]


def ensure_core(rt: Runtime, settings: SenderSettings | None = None) -> SenderCore:
    core = getattr(rt, _ATTR, None)
    if core is None:
        core = build_core(rt, settings)
        setattr(rt, _ATTR, core)
    return core  # type: ignore[no-any-return]
