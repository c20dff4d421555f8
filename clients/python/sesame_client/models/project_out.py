from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.project_out_settings import ProjectOutSettings


T = TypeVar("T", bound="ProjectOut")


@_attrs_define
class ProjectOut:
    """
    Attributes:
        created_at (str): ISO 8601, UTC
        id (int):
        name (str):
        owner_email (None | str): who gets the project's notices (a paused project, …)
        settings (ProjectOutSettings): the project's knobs: branding, allowed_redirect_hosts, from_email, from_name,
            tracking, canary_window_seconds, and keys other services own (see PATCH /v1/project)
    """

    created_at: str
    id: int
    name: str
    owner_email: None | str
    settings: ProjectOutSettings
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        created_at = self.created_at

        id = self.id

        name = self.name

        owner_email: None | str
        owner_email = self.owner_email

        settings = self.settings.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "id": id,
                "name": name,
                "owner_email": owner_email,
                "settings": settings,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.project_out_settings import ProjectOutSettings  # noqa: PLC0415

        d = dict(src_dict)
        created_at = d.pop("created_at")

        id = d.pop("id")

        name = d.pop("name")

        def _parse_owner_email(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        owner_email = _parse_owner_email(d.pop("owner_email"))

        settings = ProjectOutSettings.from_dict(d.pop("settings"))

        project_out = cls(
            created_at=created_at,
            id=id,
            name=name,
            owner_email=owner_email,
            settings=settings,
        )

        project_out.additional_properties = d
        return project_out

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
