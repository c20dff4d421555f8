from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.import_out import ImportOut
from ...models.start_import_json_body import StartImportJsonBody
from ...types import UNSET, Response, Unset


def _get_kwargs(
    list_id: int,
    *,
    body: StartImportJsonBody,
    consent_source: None | str | Unset = UNSET,
    filename: None | str | Unset = UNSET,
    x_consent_source: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_consent_source, Unset):
        headers["x-consent-source"] = x_consent_source

    params: dict[str, Any] = {}

    json_consent_source: None | str | Unset
    if isinstance(consent_source, Unset):
        json_consent_source = UNSET
    else:
        json_consent_source = consent_source
    params["consent_source"] = json_consent_source

    json_filename: None | str | Unset
    if isinstance(filename, Unset):
        json_filename = UNSET
    else:
        json_filename = filename
    params["filename"] = json_filename

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/lists/{list_id}/imports".format(
            list_id=quote(str(list_id), safe=""),
        ),
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | ImportOut | None:
    if response.status_code == 202:
        response_202 = ImportOut.from_dict(response.json())

        return response_202

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
) -> Response[ErrorBody | ImportOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    list_id: int,
    *,
    client: AuthenticatedClient,
    body: StartImportJsonBody,
    consent_source: None | str | Unset = UNSET,
    filename: None | str | Unset = UNSET,
    x_consent_source: None | str | Unset = UNSET,
) -> Response[ErrorBody | ImportOut]:
    """Start Import

     Body: the CSV itself (header row with an `email` column; other columns become attributes).

    Args:
        list_id (int):
        consent_source (None | str | Unset):
        filename (None | str | Unset):
        x_consent_source (None | str | Unset):
        body (StartImportJsonBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | ImportOut]
    """

    kwargs = _get_kwargs(
        list_id=list_id,
        body=body,
        consent_source=consent_source,
        filename=filename,
        x_consent_source=x_consent_source,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    list_id: int,
    *,
    client: AuthenticatedClient,
    body: StartImportJsonBody,
    consent_source: None | str | Unset = UNSET,
    filename: None | str | Unset = UNSET,
    x_consent_source: None | str | Unset = UNSET,
) -> ErrorBody | ImportOut | None:
    """Start Import

     Body: the CSV itself (header row with an `email` column; other columns become attributes).

    Args:
        list_id (int):
        consent_source (None | str | Unset):
        filename (None | str | Unset):
        x_consent_source (None | str | Unset):
        body (StartImportJsonBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | ImportOut
    """

    return sync_detailed(
        list_id=list_id,
        client=client,
        body=body,
        consent_source=consent_source,
        filename=filename,
        x_consent_source=x_consent_source,
    ).parsed


async def asyncio_detailed(
    list_id: int,
    *,
    client: AuthenticatedClient,
    body: StartImportJsonBody,
    consent_source: None | str | Unset = UNSET,
    filename: None | str | Unset = UNSET,
    x_consent_source: None | str | Unset = UNSET,
) -> Response[ErrorBody | ImportOut]:
    """Start Import

     Body: the CSV itself (header row with an `email` column; other columns become attributes).

    Args:
        list_id (int):
        consent_source (None | str | Unset):
        filename (None | str | Unset):
        x_consent_source (None | str | Unset):
        body (StartImportJsonBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | ImportOut]
    """

    kwargs = _get_kwargs(
        list_id=list_id,
        body=body,
        consent_source=consent_source,
        filename=filename,
        x_consent_source=x_consent_source,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    list_id: int,
    *,
    client: AuthenticatedClient,
    body: StartImportJsonBody,
    consent_source: None | str | Unset = UNSET,
    filename: None | str | Unset = UNSET,
    x_consent_source: None | str | Unset = UNSET,
) -> ErrorBody | ImportOut | None:
    """Start Import

     Body: the CSV itself (header row with an `email` column; other columns become attributes).

    Args:
        list_id (int):
        consent_source (None | str | Unset):
        filename (None | str | Unset):
        x_consent_source (None | str | Unset):
        body (StartImportJsonBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | ImportOut
    """

    return (
        await asyncio_detailed(
            list_id=list_id,
            client=client,
            body=body,
            consent_source=consent_source,
            filename=filename,
            x_consent_source=x_consent_source,
        )
    ).parsed
