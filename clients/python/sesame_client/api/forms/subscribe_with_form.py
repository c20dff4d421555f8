from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.signup_accepted import SignupAccepted
from ...models.subscribe_with_form_data_signup_in import SubscribeWithFormDataSignupIn
from ...models.subscribe_with_form_json_signup_in import SubscribeWithFormJsonSignupIn
from ...types import UNSET, Response


def _get_kwargs(
    list_id: str,
    *,
    body: SubscribeWithFormJsonSignupIn | SubscribeWithFormDataSignupIn | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/forms/{list_id}/subscribe".format(
            list_id=quote(str(list_id), safe=""),
        ),
    }

    if isinstance(body, SubscribeWithFormJsonSignupIn):
        _kwargs["json"] = body.to_dict()

        headers["Content-Type"] = "application/json"
    if isinstance(body, SubscribeWithFormDataSignupIn):
        _kwargs["data"] = body.to_dict()
        headers["Content-Type"] = "application/x-www-form-urlencoded"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | SignupAccepted | None:
    if response.status_code == 202:
        response_202 = SignupAccepted.from_dict(response.json())

        return response_202

    if response.status_code == 400:
        response_400 = ErrorBody.from_dict(response.json())

        return response_400

    if response.status_code == 404:
        response_404 = ErrorBody.from_dict(response.json())

        return response_404

    if response.status_code == 413:
        response_413 = ErrorBody.from_dict(response.json())

        return response_413

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
) -> Response[ErrorBody | SignupAccepted]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    list_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: SubscribeWithFormJsonSignupIn | SubscribeWithFormDataSignupIn | Unset = UNSET,
) -> Response[ErrorBody | SignupAccepted]:
    """Api Subscribe

     JSON signup for custom forms: `{email, attributes?, captcha}` — the same captcha and limits as the
    form.

    Args:
        list_id (str):
        body (SubscribeWithFormJsonSignupIn): A signup from a custom form (JSON, or the same
            fields form-encoded).
        body (SubscribeWithFormDataSignupIn): A signup from a custom form (JSON, or the same
            fields form-encoded).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | SignupAccepted]
    """

    kwargs = _get_kwargs(
        list_id=list_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    list_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: SubscribeWithFormJsonSignupIn | SubscribeWithFormDataSignupIn | Unset = UNSET,
) -> ErrorBody | SignupAccepted | None:
    """Api Subscribe

     JSON signup for custom forms: `{email, attributes?, captcha}` — the same captcha and limits as the
    form.

    Args:
        list_id (str):
        body (SubscribeWithFormJsonSignupIn): A signup from a custom form (JSON, or the same
            fields form-encoded).
        body (SubscribeWithFormDataSignupIn): A signup from a custom form (JSON, or the same
            fields form-encoded).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | SignupAccepted
    """

    return sync_detailed(
        list_id=list_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    list_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: SubscribeWithFormJsonSignupIn | SubscribeWithFormDataSignupIn | Unset = UNSET,
) -> Response[ErrorBody | SignupAccepted]:
    """Api Subscribe

     JSON signup for custom forms: `{email, attributes?, captcha}` — the same captcha and limits as the
    form.

    Args:
        list_id (str):
        body (SubscribeWithFormJsonSignupIn): A signup from a custom form (JSON, or the same
            fields form-encoded).
        body (SubscribeWithFormDataSignupIn): A signup from a custom form (JSON, or the same
            fields form-encoded).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | SignupAccepted]
    """

    kwargs = _get_kwargs(
        list_id=list_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    list_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: SubscribeWithFormJsonSignupIn | SubscribeWithFormDataSignupIn | Unset = UNSET,
) -> ErrorBody | SignupAccepted | None:
    """Api Subscribe

     JSON signup for custom forms: `{email, attributes?, captcha}` — the same captcha and limits as the
    form.

    Args:
        list_id (str):
        body (SubscribeWithFormJsonSignupIn): A signup from a custom form (JSON, or the same
            fields form-encoded).
        body (SubscribeWithFormDataSignupIn): A signup from a custom form (JSON, or the same
            fields form-encoded).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | SignupAccepted
    """

    return (
        await asyncio_detailed(
            list_id=list_id,
            client=client,
            body=body,
        )
    ).parsed
