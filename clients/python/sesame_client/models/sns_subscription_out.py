from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SnsSubscriptionOut")


@_attrs_define
class SnsSubscriptionOut:
    """
    Attributes:
        detail (None | str):
        status (str): pending | confirmed | …, as the SNS handshake left it
        topic_arn (str):
        updated_at (str):
    """

    detail: None | str
    status: str
    topic_arn: str
    updated_at: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        detail: None | str
        detail = self.detail

        status = self.status

        topic_arn = self.topic_arn

        updated_at = self.updated_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "detail": detail,
                "status": status,
                "topic_arn": topic_arn,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_detail(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        detail = _parse_detail(d.pop("detail"))

        status = d.pop("status")

        topic_arn = d.pop("topic_arn")

        updated_at = d.pop("updated_at")

        sns_subscription_out = cls(
            detail=detail,
            status=status,
            topic_arn=topic_arn,
            updated_at=updated_at,
        )

        sns_subscription_out.additional_properties = d
        return sns_subscription_out

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
