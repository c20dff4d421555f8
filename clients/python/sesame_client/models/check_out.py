from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.check_out_facts import CheckOutFacts


T = TypeVar("T", bound="CheckOut")


@_attrs_define
class CheckOut:
    """
    Attributes:
        detail (str):
        facts (CheckOutFacts): what was measured (free-form)
        fix (None | str):
        group (str):
        id (str):
        status (str): pass | warn | fail
        title (str):
    """

    detail: str
    facts: CheckOutFacts
    fix: None | str
    group: str
    id: str
    status: str
    title: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        detail = self.detail

        facts = self.facts.to_dict()

        fix: None | str
        fix = self.fix

        group = self.group

        id = self.id

        status = self.status

        title = self.title

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "detail": detail,
                "facts": facts,
                "fix": fix,
                "group": group,
                "id": id,
                "status": status,
                "title": title,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.check_out_facts import CheckOutFacts  # noqa: PLC0415

        d = dict(src_dict)
        detail = d.pop("detail")

        facts = CheckOutFacts.from_dict(d.pop("facts"))

        def _parse_fix(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        fix = _parse_fix(d.pop("fix"))

        group = d.pop("group")

        id = d.pop("id")

        status = d.pop("status")

        title = d.pop("title")

        check_out = cls(
            detail=detail,
            facts=facts,
            fix=fix,
            group=group,
            id=id,
            status=status,
            title=title,
        )

        check_out.additional_properties = d
        return check_out

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
