from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.reputation_out import ReputationOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    series: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_series: None | str | Unset
    if isinstance(series, Unset):
        json_series = UNSET
    else:
        json_series = series
    params["series"] = json_series

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/reputation",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | ReputationOut | None:
    if response.status_code == 200:
        response_200 = ReputationOut.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())

        return response_401

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
) -> Response[ErrorBody | ReputationOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    series: None | str | Unset = UNSET,
) -> Response[ErrorBody | ReputationOut]:
    """V1 Reputation

     Rolling bounce / complaint rates over 24 h and 7 d; `?series=24h|7d|30d` adds hourly buckets.

    Args:
        series (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | ReputationOut]
    """

    kwargs = _get_kwargs(
        series=series,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    series: None | str | Unset = UNSET,
) -> ErrorBody | ReputationOut | None:
    """V1 Reputation

     Rolling bounce / complaint rates over 24 h and 7 d; `?series=24h|7d|30d` adds hourly buckets.

    Args:
        series (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | ReputationOut
    """

    return sync_detailed(
        client=client,
        series=series,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    series: None | str | Unset = UNSET,
) -> Response[ErrorBody | ReputationOut]:
    """V1 Reputation

     Rolling bounce / complaint rates over 24 h and 7 d; `?series=24h|7d|30d` adds hourly buckets.

    Args:
        series (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | ReputationOut]
    """

    kwargs = _get_kwargs(
        series=series,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    series: None | str | Unset = UNSET,
) -> ErrorBody | ReputationOut | None:
    """V1 Reputation

     Rolling bounce / complaint rates over 24 h and 7 d; `?series=24h|7d|30d` adds hourly buckets.

    Args:
        series (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | ReputationOut
    """

    return (
        await asyncio_detailed(
            client=client,
            series=series,
        )
    ).parsed
