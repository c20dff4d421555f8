from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.removal_out import RemovalOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    suppression_id: int,
    *,
    why: str,
    removed_by: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["why"] = why

    json_removed_by: None | str | Unset
    if isinstance(removed_by, Unset):
        json_removed_by = UNSET
    else:
        json_removed_by = removed_by
    params["removed_by"] = json_removed_by

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/v1/suppressions/{suppression_id}".format(
            suppression_id=quote(str(suppression_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | RemovalOut | None:
    if response.status_code == 200:
        response_200 = RemovalOut.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = ErrorBody.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = ErrorBody.from_dict(response.json())

        return response_409

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
) -> Response[ErrorBody | RemovalOut]:
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
    why: str,
    removed_by: None | str | Unset = UNSET,
) -> Response[ErrorBody | RemovalOut]:
    """Delete Suppression

     The same as POST …/remove, with `why` (required) and `removed_by` as query parameters.

    Args:
        suppression_id (int):
        why (str):
        removed_by (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | RemovalOut]
    """

    kwargs = _get_kwargs(
        suppression_id=suppression_id,
        why=why,
        removed_by=removed_by,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    suppression_id: int,
    *,
    client: AuthenticatedClient,
    why: str,
    removed_by: None | str | Unset = UNSET,
) -> ErrorBody | RemovalOut | None:
    """Delete Suppression

     The same as POST …/remove, with `why` (required) and `removed_by` as query parameters.

    Args:
        suppression_id (int):
        why (str):
        removed_by (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | RemovalOut
    """

    return sync_detailed(
        suppression_id=suppression_id,
        client=client,
        why=why,
        removed_by=removed_by,
    ).parsed


async def asyncio_detailed(
    suppression_id: int,
    *,
    client: AuthenticatedClient,
    why: str,
    removed_by: None | str | Unset = UNSET,
) -> Response[ErrorBody | RemovalOut]:
    """Delete Suppression

     The same as POST …/remove, with `why` (required) and `removed_by` as query parameters.

    Args:
        suppression_id (int):
        why (str):
        removed_by (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | RemovalOut]
    """

    kwargs = _get_kwargs(
        suppression_id=suppression_id,
        why=why,
        removed_by=removed_by,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    suppression_id: int,
    *,
    client: AuthenticatedClient,
    why: str,
    removed_by: None | str | Unset = UNSET,
) -> ErrorBody | RemovalOut | None:
    """Delete Suppression

     The same as POST …/remove, with `why` (required) and `removed_by` as query parameters.

    Args:
        suppression_id (int):
        why (str):
        removed_by (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | RemovalOut
    """

    return (
        await asyncio_detailed(
            suppression_id=suppression_id,
            client=client,
            why=why,
            removed_by=removed_by,
        )
    ).parsed
