from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.aws_call_out_params import AwsCallOutParams


T = TypeVar("T", bound="AwsCallOut")


@_attrs_define
class AwsCallOut:
    """
    Attributes:
        error (None | str):
        ms (float): how long the call took, in milliseconds
        mutating (bool): the call changes something in the AWS account
        ok (bool):
        operation (str):
        params (AwsCallOutParams): the call's parameters (message bodies left out)
        service (str):
    """

    error: None | str
    ms: float
    mutating: bool
    ok: bool
    operation: str
    params: AwsCallOutParams
    service: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        error: None | str
        error = self.error

        ms = self.ms

        mutating = self.mutating

        ok = self.ok

        operation = self.operation

        params = self.params.to_dict()

        service = self.service

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "error": error,
                "ms": ms,
                "mutating": mutating,
                "ok": ok,
                "operation": operation,
                "params": params,
                "service": service,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.aws_call_out_params import AwsCallOutParams  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        ms = d.pop("ms")

        mutating = d.pop("mutating")

        ok = d.pop("ok")

        operation = d.pop("operation")

        params = AwsCallOutParams.from_dict(d.pop("params"))

        service = d.pop("service")

        aws_call_out = cls(
            error=error,
            ms=ms,
            mutating=mutating,
            ok=ok,
            operation=operation,
            params=params,
            service=service,
        )

        aws_call_out.additional_properties = d
        return aws_call_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
