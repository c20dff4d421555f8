from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SignupAccepted")


@_attrs_define
class SignupAccepted:
    """Taken: a confirmation mail goes out (double opt-in) or the address is subscribed. The same answer for an
    address already on the list, so the API tells nobody who is subscribed.

        Attributes:
            status (Literal['check_inbox']):
    """

    status: Literal["check_inbox"]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        status = self.status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        status = cast(Literal["check_inbox"], d.pop("status"))
        if status != "check_inbox":
            raise ValueError(f"status must match const 'check_inbox', got '{status}'")

        signup_accepted = cls(
            status=status,
        )

        signup_accepted.additional_properties = d
        return signup_accepted

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
