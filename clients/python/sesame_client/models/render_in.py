from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.render_in_attributes import RenderInAttributes
    from ..models.render_in_variables import RenderInVariables


T = TypeVar("T", bound="RenderIn")


@_attrs_define
class RenderIn:
    """
    Attributes:
        attributes (RenderInAttributes | Unset):
        email (str | Unset):  Default: 'preview@example.com'.
        marketing (bool | Unset): Add the unsubscribe footer when the content has no link. Default: True.
        variables (RenderInVariables | Unset):
    """

    attributes: RenderInAttributes | Unset = UNSET
    email: str | Unset = "preview@example.com"
    marketing: bool | Unset = True
    variables: RenderInVariables | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        attributes: dict[str, Any] | Unset = UNSET
        if not isinstance(self.attributes, Unset):
            attributes = self.attributes.to_dict()

        email = self.email

        marketing = self.marketing

        variables: dict[str, Any] | Unset = UNSET
        if not isinstance(self.variables, Unset):
            variables = self.variables.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if attributes is not UNSET:
            field_dict["attributes"] = attributes
        if email is not UNSET:
            field_dict["email"] = email
        if marketing is not UNSET:
            field_dict["marketing"] = marketing
        if variables is not UNSET:
            field_dict["variables"] = variables

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.render_in_attributes import RenderInAttributes  # noqa: PLC0415
        from ..models.render_in_variables import RenderInVariables  # noqa: PLC0415

        d = dict(src_dict)
        _attributes = d.pop("attributes", UNSET)
        attributes: RenderInAttributes | Unset
        if isinstance(_attributes, Unset):
            attributes = UNSET
        else:
            attributes = RenderInAttributes.from_dict(_attributes)

        email = d.pop("email", UNSET)

        marketing = d.pop("marketing", UNSET)

        _variables = d.pop("variables", UNSET)
        variables: RenderInVariables | Unset
        if isinstance(_variables, Unset):
            variables = UNSET
        else:
            variables = RenderInVariables.from_dict(_variables)

        render_in = cls(
            attributes=attributes,
            email=email,
            marketing=marketing,
            variables=variables,
        )

        render_in.additional_properties = d
        return render_in

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
