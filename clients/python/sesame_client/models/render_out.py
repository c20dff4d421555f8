from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="RenderOut")


@_attrs_define
class RenderOut:
    """
    Attributes:
        html (None | str):
        subject (str):
        text (None | str):
        unsubscribe_link_added (bool): marketing mail without a link of its own gets a footer
    """

    html: None | str
    subject: str
    text: None | str
    unsubscribe_link_added: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        html: None | str
        html = self.html

        subject = self.subject

        text: None | str
        text = self.text

        unsubscribe_link_added = self.unsubscribe_link_added

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "html": html,
                "subject": subject,
                "text": text,
                "unsubscribe_link_added": unsubscribe_link_added,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_html(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        html = _parse_html(d.pop("html"))

        subject = d.pop("subject")

        def _parse_text(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        text = _parse_text(d.pop("text"))

        unsubscribe_link_added = d.pop("unsubscribe_link_added")

        render_out = cls(
            html=html,
            subject=subject,
            text=text,
            unsubscribe_link_added=unsubscribe_link_added,
        )

        render_out.additional_properties = d
        return render_out

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
