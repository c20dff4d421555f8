from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.preview_in_attributes import PreviewInAttributes
    from ..models.preview_in_variables import PreviewInVariables


T = TypeVar("T", bound="PreviewIn")


@_attrs_define
class PreviewIn:
    """Unsaved content, rendered like a saved template (nothing is stored).

    Attributes:
        subject (str):
        attributes (PreviewInAttributes | Unset):
        email (str | Unset):  Default: 'preview@example.com'.
        html (None | str | Unset):
        marketing (bool | Unset): Add the unsubscribe footer when the content has no link. Default: True.
        text (None | str | Unset):
        variables (PreviewInVariables | Unset):
    """

    subject: str
    attributes: PreviewInAttributes | Unset = UNSET
    email: str | Unset = "preview@example.com"
    html: None | str | Unset = UNSET
    marketing: bool | Unset = True
    text: None | str | Unset = UNSET
    variables: PreviewInVariables | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        subject = self.subject

        attributes: dict[str, Any] | Unset = UNSET
        if not isinstance(self.attributes, Unset):
            attributes = self.attributes.to_dict()

        email = self.email

        html: None | str | Unset
        if isinstance(self.html, Unset):
            html = UNSET
        else:
            html = self.html

        marketing = self.marketing

        text: None | str | Unset
        if isinstance(self.text, Unset):
            text = UNSET
        else:
            text = self.text

        variables: dict[str, Any] | Unset = UNSET
        if not isinstance(self.variables, Unset):
            variables = self.variables.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "subject": subject,
            }
        )
        if attributes is not UNSET:
            field_dict["attributes"] = attributes
        if email is not UNSET:
            field_dict["email"] = email
        if html is not UNSET:
            field_dict["html"] = html
        if marketing is not UNSET:
            field_dict["marketing"] = marketing
        if text is not UNSET:
            field_dict["text"] = text
        if variables is not UNSET:
            field_dict["variables"] = variables

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.preview_in_attributes import PreviewInAttributes  # noqa: PLC0415
        from ..models.preview_in_variables import PreviewInVariables  # noqa: PLC0415

        d = dict(src_dict)
        subject = d.pop("subject")

        _attributes = d.pop("attributes", UNSET)
        attributes: PreviewInAttributes | Unset
        if isinstance(_attributes, Unset):
            attributes = UNSET
        else:
            attributes = PreviewInAttributes.from_dict(_attributes)

        email = d.pop("email", UNSET)

        def _parse_html(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        html = _parse_html(d.pop("html", UNSET))

        marketing = d.pop("marketing", UNSET)

        def _parse_text(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        text = _parse_text(d.pop("text", UNSET))

        _variables = d.pop("variables", UNSET)
        variables: PreviewInVariables | Unset
        if isinstance(_variables, Unset):
            variables = UNSET
        else:
            variables = PreviewInVariables.from_dict(_variables)

        preview_in = cls(
            subject=subject,
            attributes=attributes,
            email=email,
            html=html,
            marketing=marketing,
            text=text,
            variables=variables,
        )

        preview_in.additional_properties = d
        return preview_in

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
