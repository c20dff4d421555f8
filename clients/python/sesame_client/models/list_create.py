from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

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
        sunset_campaigns (int | None | Unset): Sunset: pause from marketing the contacts with no open or click in the
            last this-many campaigns.
        sunset_days (int | None | Unset): Sunset: pause from marketing the contacts with no open or click in this many
            days.
    """

    name: str
    description: str | Unset = ""
    double_optin: bool | Unset = True
    form_settings: FormSettings | Unset = UNSET
    public: bool | Unset = True
    sunset_campaigns: int | None | Unset = UNSET
    sunset_days: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:

        name = self.name

        description = self.description

        double_optin = self.double_optin

        form_settings: dict[str, Any] | Unset = UNSET
        if not isinstance(self.form_settings, Unset):
            form_settings = self.form_settings.to_dict()

        public = self.public

        sunset_campaigns: int | None | Unset
        if isinstance(self.sunset_campaigns, Unset):
            sunset_campaigns = UNSET
        else:
            sunset_campaigns = self.sunset_campaigns

        sunset_days: int | None | Unset
        if isinstance(self.sunset_days, Unset):
            sunset_days = UNSET
        else:
            sunset_days = self.sunset_days

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
        if sunset_campaigns is not UNSET:
            field_dict["sunset_campaigns"] = sunset_campaigns
        if sunset_days is not UNSET:
            field_dict["sunset_days"] = sunset_days

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

        def _parse_sunset_campaigns(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        sunset_campaigns = _parse_sunset_campaigns(d.pop("sunset_campaigns", UNSET))

        def _parse_sunset_days(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        sunset_days = _parse_sunset_days(d.pop("sunset_days", UNSET))

        list_create = cls(
            name=name,
            description=description,
            double_optin=double_optin,
            form_settings=form_settings,
            public=public,
            sunset_campaigns=sunset_campaigns,
            sunset_days=sunset_days,
        )

        return list_create
