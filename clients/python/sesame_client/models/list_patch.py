from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.form_settings import FormSettings


T = TypeVar("T", bound="ListPatch")


@_attrs_define
class ListPatch:
    """
    Attributes:
        description (None | str | Unset):
        double_optin (bool | None | Unset):
        form_settings (FormSettings | None | Unset):
        name (None | str | Unset):
        public (bool | None | Unset):
        sunset_campaigns (int | None | Unset): Sunset: pause from marketing the contacts with no open or click in the
            last this-many campaigns. null turns it off.
        sunset_days (int | None | Unset): Sunset: pause from marketing the contacts with no open or click in this many
            days. null turns it off.
    """

    description: None | str | Unset = UNSET
    double_optin: bool | None | Unset = UNSET
    form_settings: FormSettings | None | Unset = UNSET
    name: None | str | Unset = UNSET
    public: bool | None | Unset = UNSET
    sunset_campaigns: int | None | Unset = UNSET
    sunset_days: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.form_settings import FormSettings  # noqa: PLC0415

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        double_optin: bool | None | Unset
        if isinstance(self.double_optin, Unset):
            double_optin = UNSET
        else:
            double_optin = self.double_optin

        form_settings: dict[str, Any] | None | Unset
        if isinstance(self.form_settings, Unset):
            form_settings = UNSET
        elif isinstance(self.form_settings, FormSettings):
            form_settings = self.form_settings.to_dict()
        else:
            form_settings = self.form_settings

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        public: bool | None | Unset
        if isinstance(self.public, Unset):
            public = UNSET
        else:
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

        field_dict.update({})
        if description is not UNSET:
            field_dict["description"] = description
        if double_optin is not UNSET:
            field_dict["double_optin"] = double_optin
        if form_settings is not UNSET:
            field_dict["form_settings"] = form_settings
        if name is not UNSET:
            field_dict["name"] = name
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

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_double_optin(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        double_optin = _parse_double_optin(d.pop("double_optin", UNSET))

        def _parse_form_settings(data: object) -> FormSettings | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                form_settings_type_0 = FormSettings.from_dict(data)

                return form_settings_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FormSettings | None | Unset, data)

        form_settings = _parse_form_settings(d.pop("form_settings", UNSET))

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_public(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        public = _parse_public(d.pop("public", UNSET))

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

        list_patch = cls(
            description=description,
            double_optin=double_optin,
            form_settings=form_settings,
            name=name,
            public=public,
            sunset_campaigns=sunset_campaigns,
            sunset_days=sunset_days,
        )

        return list_patch
