from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="EndpointUpdate")


@_attrs_define
class EndpointUpdate:
    """
    Attributes:
        allowed_topic_arns (list[str]):
    """

    allowed_topic_arns: list[str]

    def to_dict(self) -> dict[str, Any]:
        allowed_topic_arns = self.allowed_topic_arns

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "allowed_topic_arns": allowed_topic_arns,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        allowed_topic_arns = cast(list[str], d.pop("allowed_topic_arns"))

        endpoint_update = cls(
            allowed_topic_arns=allowed_topic_arns,
        )

        return endpoint_update
