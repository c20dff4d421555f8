from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.event_page import EventPage
from ...models.v1_events_type_type_0 import V1EventsTypeType0
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    message_id: int | None | Unset = UNSET,
    ses_message_id: None | str | Unset = UNSET,
    email: None | str | Unset = UNSET,
    type_: None | Unset | V1EventsTypeType0 = UNSET,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    before: int | None | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_message_id: int | None | Unset
    if isinstance(message_id, Unset):
        json_message_id = UNSET
    else:
        json_message_id = message_id
    params["message_id"] = json_message_id

    json_ses_message_id: None | str | Unset
    if isinstance(ses_message_id, Unset):
        json_ses_message_id = UNSET
    else:
        json_ses_message_id = ses_message_id
    params["ses_message_id"] = json_ses_message_id

    json_email: None | str | Unset
    if isinstance(email, Unset):
        json_email = UNSET
    else:
        json_email = email
    params["email"] = json_email

    json_type_: None | str | Unset
    if isinstance(type_, Unset):
        json_type_ = UNSET
    elif isinstance(type_, V1EventsTypeType0):
        json_type_ = type_.value
    else:
        json_type_ = type_
    params["type"] = json_type_

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    params["limit"] = limit

    json_before: int | None | Unset
    if isinstance(before, Unset):
        json_before = UNSET
    else:
        json_before = before
    params["before"] = json_before

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/events",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | EventPage | None:
    if response.status_code == 200:
        response_200 = EventPage.from_dict(response.json())

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
) -> Response[ErrorBody | EventPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    message_id: int | None | Unset = UNSET,
    ses_message_id: None | str | Unset = UNSET,
    email: None | str | Unset = UNSET,
    type_: None | Unset | V1EventsTypeType0 = UNSET,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    before: int | None | Unset = UNSET,
) -> Response[ErrorBody | EventPage]:
    """V1 Events

     Recent feedback events of the project, newest first, filtered by message, contact address or type;
    `next_cursor` pages on.

    Args:
        message_id (int | None | Unset):
        ses_message_id (None | str | Unset):
        email (None | str | Unset):
        type_ (None | Unset | V1EventsTypeType0):
        cursor (None | str | Unset): `next_cursor` of the previous page; omit for the first page
        limit (int | Unset): items per page, at most 500 Default: 50.
        before (int | None | Unset): old paging: use cursor

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | EventPage]
    """

    kwargs = _get_kwargs(
        message_id=message_id,
        ses_message_id=ses_message_id,
        email=email,
        type_=type_,
        cursor=cursor,
        limit=limit,
        before=before,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    message_id: int | None | Unset = UNSET,
    ses_message_id: None | str | Unset = UNSET,
    email: None | str | Unset = UNSET,
    type_: None | Unset | V1EventsTypeType0 = UNSET,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    before: int | None | Unset = UNSET,
) -> ErrorBody | EventPage | None:
    """V1 Events

     Recent feedback events of the project, newest first, filtered by message, contact address or type;
    `next_cursor` pages on.

    Args:
        message_id (int | None | Unset):
        ses_message_id (None | str | Unset):
        email (None | str | Unset):
        type_ (None | Unset | V1EventsTypeType0):
        cursor (None | str | Unset): `next_cursor` of the previous page; omit for the first page
        limit (int | Unset): items per page, at most 500 Default: 50.
        before (int | None | Unset): old paging: use cursor

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | EventPage
    """

    return sync_detailed(
        client=client,
        message_id=message_id,
        ses_message_id=ses_message_id,
        email=email,
        type_=type_,
        cursor=cursor,
        limit=limit,
        before=before,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    message_id: int | None | Unset = UNSET,
    ses_message_id: None | str | Unset = UNSET,
    email: None | str | Unset = UNSET,
    type_: None | Unset | V1EventsTypeType0 = UNSET,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    before: int | None | Unset = UNSET,
) -> Response[ErrorBody | EventPage]:
    """V1 Events

     Recent feedback events of the project, newest first, filtered by message, contact address or type;
    `next_cursor` pages on.

    Args:
        message_id (int | None | Unset):
        ses_message_id (None | str | Unset):
        email (None | str | Unset):
        type_ (None | Unset | V1EventsTypeType0):
        cursor (None | str | Unset): `next_cursor` of the previous page; omit for the first page
        limit (int | Unset): items per page, at most 500 Default: 50.
        before (int | None | Unset): old paging: use cursor

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | EventPage]
    """

    kwargs = _get_kwargs(
        message_id=message_id,
        ses_message_id=ses_message_id,
        email=email,
        type_=type_,
        cursor=cursor,
        limit=limit,
        before=before,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    message_id: int | None | Unset = UNSET,
    ses_message_id: None | str | Unset = UNSET,
    email: None | str | Unset = UNSET,
    type_: None | Unset | V1EventsTypeType0 = UNSET,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    before: int | None | Unset = UNSET,
) -> ErrorBody | EventPage | None:
    """V1 Events

     Recent feedback events of the project, newest first, filtered by message, contact address or type;
    `next_cursor` pages on.

    Args:
        message_id (int | None | Unset):
        ses_message_id (None | str | Unset):
        email (None | str | Unset):
        type_ (None | Unset | V1EventsTypeType0):
        cursor (None | str | Unset): `next_cursor` of the previous page; omit for the first page
        limit (int | Unset): items per page, at most 500 Default: 50.
        before (int | None | Unset): old paging: use cursor

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | EventPage
    """

    return (
        await asyncio_detailed(
            client=client,
            message_id=message_id,
            ses_message_id=ses_message_id,
            email=email,
            type_=type_,
            cursor=cursor,
            limit=limit,
            before=before,
        )
    ).parsed
