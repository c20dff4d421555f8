"""A typed client for the Sesame API.

The `api/` and `models/` modules, `client.py`, `errors.py` and `types.py` are generated from the API's OpenAPI
document by openapi-python-client (`scripts/generate-client`); `webhooks.py` is written by hand.
Every call comes in four forms: `sync`, `sync_detailed`, `asyncio`, `asyncio_detailed`.
"""

from .client import AuthenticatedClient, Client
from .webhooks import WebhookVerificationError, sign, verify

__all__ = ("AuthenticatedClient", "Client", "WebhookVerificationError", "sign", "verify")
