from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.guarded_rate import GuardedRate


T = TypeVar("T", bound="Rates")


@_attrs_define
class Rates:
    """
    Attributes:
        bounce (GuardedRate):
        click (float):
        complaint (GuardedRate):
        open_ (float):
    """

    bounce: GuardedRate
    click: float
    complaint: GuardedRate
    open_: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        bounce = self.bounce.to_dict()

        click = self.click

        complaint = self.complaint.to_dict()

        open_ = self.open_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "bounce": bounce,
                "click": click,
                "complaint": complaint,
                "open": open_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.guarded_rate import GuardedRate  # noqa: PLC0415

        d = dict(src_dict)
        bounce = GuardedRate.from_dict(d.pop("bounce"))

        click = d.pop("click")

        complaint = GuardedRate.from_dict(d.pop("complaint"))

        open_ = d.pop("open")

        rates = cls(
            bounce=bounce,
            click=click,
            complaint=complaint,
            open_=open_,
        )

        rates.additional_properties = d
        return rates

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
