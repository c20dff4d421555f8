from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.list_messages_feedback_type_0 import ListMessagesFeedbackType0
from ...models.message_page import MessagePage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    state: None | str | Unset = UNSET,
    campaign_id: int | None | Unset = UNSET,
    to: None | str | Unset = UNSET,
    contact_id: int | None | Unset = UNSET,
    feedback: ListMessagesFeedbackType0 | None | Unset = UNSET,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    before_id: int | None | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_state: None | str | Unset
    if isinstance(state, Unset):
        json_state = UNSET
    else:
        json_state = state
    params["state"] = json_state

    json_campaign_id: int | None | Unset
    if isinstance(campaign_id, Unset):
        json_campaign_id = UNSET
    else:
        json_campaign_id = campaign_id
    params["campaign_id"] = json_campaign_id

    json_to: None | str | Unset
    if isinstance(to, Unset):
        json_to = UNSET
    else:
        json_to = to
    params["to"] = json_to

    json_contact_id: int | None | Unset
    if isinstance(contact_id, Unset):
        json_contact_id = UNSET
    else:
        json_contact_id = contact_id
    params["contact_id"] = json_contact_id

    json_feedback: None | str | Unset
    if isinstance(feedback, Unset):
        json_feedback = UNSET
    elif isinstance(feedback, ListMessagesFeedbackType0):
        json_feedback = feedback.value
    else:
        json_feedback = feedback
    params["feedback"] = json_feedback

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    params["limit"] = limit

    json_before_id: int | None | Unset
    if isinstance(before_id, Unset):
        json_before_id = UNSET
    else:
        json_before_id = before_id
    params["before_id"] = json_before_id

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/messages",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | MessagePage | None:
    if response.status_code == 200:
        response_200 = MessagePage.from_dict(response.json())

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
) -> Response[ErrorBody | MessagePage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    state: None | str | Unset = UNSET,
    campaign_id: int | None | Unset = UNSET,
    to: None | str | Unset = UNSET,
    contact_id: int | None | Unset = UNSET,
    feedback: ListMessagesFeedbackType0 | None | Unset = UNSET,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    before_id: int | None | Unset = UNSET,
) -> Response[ErrorBody | MessagePage]:
    """List Messages

     Newest first; filters combine. `to` finds every message to that address (campaign and
    transactional);
    `contact_id` only those linked to the contact (campaign mail, and transactional mail sent with it).

    Args:
        state (None | str | Unset):
        campaign_id (int | None | Unset):
        to (None | str | Unset): recipient address, any spelling (matched by hash)
        contact_id (int | None | Unset): messages linked to this contact
        feedback (ListMessagesFeedbackType0 | None | Unset): the strongest feedback SES reported
            for the message
        cursor (None | str | Unset): `next_cursor` of the previous page; omit for the first page
        limit (int | Unset): items per page, at most 500 Default: 50.
        before_id (int | None | Unset): old paging: use cursor

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | MessagePage]
    """

    kwargs = _get_kwargs(
        state=state,
        campaign_id=campaign_id,
        to=to,
        contact_id=contact_id,
        feedback=feedback,
        cursor=cursor,
        limit=limit,
        before_id=before_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    state: None | str | Unset = UNSET,
    campaign_id: int | None | Unset = UNSET,
    to: None | str | Unset = UNSET,
    contact_id: int | None | Unset = UNSET,
    feedback: ListMessagesFeedbackType0 | None | Unset = UNSET,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    before_id: int | None | Unset = UNSET,
) -> ErrorBody | MessagePage | None:
    """List Messages

     Newest first; filters combine. `to` finds every message to that address (campaign and
    transactional);
    `contact_id` only those linked to the contact (campaign mail, and transactional mail sent with it).

    Args:
        state (None | str | Unset):
        campaign_id (int | None | Unset):
        to (None | str | Unset): recipient address, any spelling (matched by hash)
        contact_id (int | None | Unset): messages linked to this contact
        feedback (ListMessagesFeedbackType0 | None | Unset): the strongest feedback SES reported
            for the message
        cursor (None | str | Unset): `next_cursor` of the previous page; omit for the first page
        limit (int | Unset): items per page, at most 500 Default: 50.
        before_id (int | None | Unset): old paging: use cursor

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | MessagePage
    """

    return sync_detailed(
        client=client,
        state=state,
        campaign_id=campaign_id,
        to=to,
        contact_id=contact_id,
        feedback=feedback,
        cursor=cursor,
        limit=limit,
        before_id=before_id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    state: None | str | Unset = UNSET,
    campaign_id: int | None | Unset = UNSET,
    to: None | str | Unset = UNSET,
    contact_id: int | None | Unset = UNSET,
    feedback: ListMessagesFeedbackType0 | None | Unset = UNSET,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    before_id: int | None | Unset = UNSET,
) -> Response[ErrorBody | MessagePage]:
    """List Messages

     Newest first; filters combine. `to` finds every message to that address (campaign and
    transactional);
    `contact_id` only those linked to the contact (campaign mail, and transactional mail sent with it).

    Args:
        state (None | str | Unset):
        campaign_id (int | None | Unset):
        to (None | str | Unset): recipient address, any spelling (matched by hash)
        contact_id (int | None | Unset): messages linked to this contact
        feedback (ListMessagesFeedbackType0 | None | Unset): the strongest feedback SES reported
            for the message
        cursor (None | str | Unset): `next_cursor` of the previous page; omit for the first page
        limit (int | Unset): items per page, at most 500 Default: 50.
        before_id (int | None | Unset): old paging: use cursor

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | MessagePage]
    """

    kwargs = _get_kwargs(
        state=state,
        campaign_id=campaign_id,
        to=to,
        contact_id=contact_id,
        feedback=feedback,
        cursor=cursor,
        limit=limit,
        before_id=before_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    state: None | str | Unset = UNSET,
    campaign_id: int | None | Unset = UNSET,
    to: None | str | Unset = UNSET,
    contact_id: int | None | Unset = UNSET,
    feedback: ListMessagesFeedbackType0 | None | Unset = UNSET,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    before_id: int | None | Unset = UNSET,
) -> ErrorBody | MessagePage | None:
    """List Messages

     Newest first; filters combine. `to` finds every message to that address (campaign and
    transactional);
    `contact_id` only those linked to the contact (campaign mail, and transactional mail sent with it).

    Args:
        state (None | str | Unset):
        campaign_id (int | None | Unset):
        to (None | str | Unset): recipient address, any spelling (matched by hash)
        contact_id (int | None | Unset): messages linked to this contact
        feedback (ListMessagesFeedbackType0 | None | Unset): the strongest feedback SES reported
            for the message
        cursor (None | str | Unset): `next_cursor` of the previous page; omit for the first page
        limit (int | Unset): items per page, at most 500 Default: 50.
        before_id (int | None | Unset): old paging: use cursor

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | MessagePage
    """

    return (
        await asyncio_detailed(
            client=client,
            state=state,
            campaign_id=campaign_id,
            to=to,
            contact_id=contact_id,
            feedback=feedback,
            cursor=cursor,
            limit=limit,
            before_id=before_id,
        )
    ).parsed
