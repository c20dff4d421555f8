from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.form_settings import FormSettings


T = TypeVar("T", bound="ListCreate")


@_attrs_define
class ListCreate:
    """
    Attributes:
        name (str):
        description (str | Unset):  Default: ''.
        double_optin (bool | Unset):  Default: True.
        form_settings (FormSettings | Unset): What the gateway's hosted form reads: protections, extra fields (stored as
            attributes), texts, redirect.
        public (bool | Unset): false: not offered on the preference page to non-members Default: True.
    """

    name: str
    description: str | Unset = ""
    double_optin: bool | Unset = True
    form_settings: FormSettings | Unset = UNSET
    public: bool | Unset = True

    def to_dict(self) -> dict[str, Any]:

        name = self.name

        description = self.description

        double_optin = self.double_optin

        form_settings: dict[str, Any] | Unset = UNSET
        if not isinstance(self.form_settings, Unset):
            form_settings = self.form_settings.to_dict()

        public = self.public

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if double_optin is not UNSET:
            field_dict["double_optin"] = double_optin
        if form_settings is not UNSET:
            field_dict["form_settings"] = form_settings
        if public is not UNSET:
            field_dict["public"] = public

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.form_settings import FormSettings  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        description = d.pop("description", UNSET)

        double_optin = d.pop("double_optin", UNSET)

        _form_settings = d.pop("form_settings", UNSET)
        form_settings: FormSettings | Unset
        if isinstance(_form_settings, Unset):
            form_settings = UNSET
        else:
            form_settings = FormSettings.from_dict(_form_settings)

        public = d.pop("public", UNSET)

        list_create = cls(
            name=name,
            description=description,
            double_optin=double_optin,
            form_settings=form_settings,
            public=public,
        )

        return list_create
