from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.suppression_out import SuppressionOut
from ...types import Response


def _get_kwargs(
    suppression_id: int,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/suppressions/{suppression_id}".format(
            suppression_id=quote(str(suppression_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | SuppressionOut | None:
    if response.status_code == 200:
        response_200 = SuppressionOut.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = ErrorBody.from_dict(response.json())

        return response_404

    if response.status_code == 422:
        response_422 = ErrorBody.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = ErrorBody.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = ErrorBody.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorBody | SuppressionOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    suppression_id: int,
    *,
    client: AuthenticatedClient,
) -> Response[ErrorBody | SuppressionOut]:
    """Read Suppression

    Args:
        suppression_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | SuppressionOut]
    """

    kwargs = _get_kwargs(
        suppression_id=suppression_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    suppression_id: int,
    *,
    client: AuthenticatedClient,
) -> ErrorBody | SuppressionOut | None:
    """Read Suppression

    Args:
        suppression_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | SuppressionOut
    """

    return sync_detailed(
        suppression_id=suppression_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    suppression_id: int,
    *,
    client: AuthenticatedClient,
) -> Response[ErrorBody | SuppressionOut]:
    """Read Suppression

    Args:
        suppression_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | SuppressionOut]
    """

    kwargs = _get_kwargs(
        suppression_id=suppression_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    suppression_id: int,
    *,
    client: AuthenticatedClient,
) -> ErrorBody | SuppressionOut | None:
    """Read Suppression

    Args:
        suppression_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | SuppressionOut
    """

    return (
        await asyncio_detailed(
            suppression_id=suppression_id,
            client=client,
        )
    ).parsed
