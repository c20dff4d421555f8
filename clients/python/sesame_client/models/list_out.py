from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.form_settings_out import FormSettingsOut
    from ..models.list_counts import ListCounts


T = TypeVar("T", bound="ListOut")


@_attrs_define
class ListOut:
    """
    Attributes:
        counts (ListCounts): Subscriptions of the list per status.
        created_at (str): ISO 8601, UTC
        description (str):
        double_optin (bool):
        form_settings (FormSettingsOut): The hosted form's settings as stored (see the list's create/update body for
            what each means): a setting
            left unset is absent (the routes answer with `response_model_exclude_unset`).
        id (int):
        name (str):
        public (bool): false: not offered on the preference page to non-members
        sunset_campaigns (int | None): null: no sunset by campaigns
        sunset_days (int | None): null: no sunset by days
        updated_at (str): ISO 8601, UTC
    """

    counts: ListCounts
    created_at: str
    description: str
    double_optin: bool
    form_settings: FormSettingsOut
    id: int
    name: str
    public: bool
    sunset_campaigns: int | None
    sunset_days: int | None
    updated_at: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        counts = self.counts.to_dict()

        created_at = self.created_at

        description = self.description

        double_optin = self.double_optin

        form_settings = self.form_settings.to_dict()

        id = self.id

        name = self.name

        public = self.public

        sunset_campaigns: int | None
        sunset_campaigns = self.sunset_campaigns

        sunset_days: int | None
        sunset_days = self.sunset_days

        updated_at = self.updated_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "counts": counts,
                "created_at": created_at,
                "description": description,
                "double_optin": double_optin,
                "form_settings": form_settings,
                "id": id,
                "name": name,
                "public": public,
                "sunset_campaigns": sunset_campaigns,
                "sunset_days": sunset_days,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.form_settings_out import FormSettingsOut  # noqa: PLC0415
        from ..models.list_counts import ListCounts  # noqa: PLC0415

        d = dict(src_dict)
        counts = ListCounts.from_dict(d.pop("counts"))

        created_at = d.pop("created_at")

        description = d.pop("description")

        double_optin = d.pop("double_optin")

        form_settings = FormSettingsOut.from_dict(d.pop("form_settings"))

        id = d.pop("id")

        name = d.pop("name")

        public = d.pop("public")

        def _parse_sunset_campaigns(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        sunset_campaigns = _parse_sunset_campaigns(d.pop("sunset_campaigns"))

        def _parse_sunset_days(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        sunset_days = _parse_sunset_days(d.pop("sunset_days"))

        updated_at = d.pop("updated_at")

        list_out = cls(
            counts=counts,
            created_at=created_at,
            description=description,
            double_optin=double_optin,
            form_settings=form_settings,
            id=id,
            name=name,
            public=public,
            sunset_campaigns=sunset_campaigns,
            sunset_days=sunset_days,
            updated_at=updated_at,
        )

        list_out.additional_properties = d
        return list_out

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
