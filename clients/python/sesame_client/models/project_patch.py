from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.project_settings_in import ProjectSettingsIn


T = TypeVar("T", bound="ProjectPatch")


@_attrs_define
class ProjectPatch:
    """
    Attributes:
        name (None | str | Unset):
        owner_email (None | str | Unset):
        settings (None | ProjectSettingsIn | Unset):
    """

    name: None | str | Unset = UNSET
    owner_email: None | str | Unset = UNSET
    settings: None | ProjectSettingsIn | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.project_settings_in import ProjectSettingsIn  # noqa: PLC0415

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        owner_email: None | str | Unset
        if isinstance(self.owner_email, Unset):
            owner_email = UNSET
        else:
            owner_email = self.owner_email

        settings: dict[str, Any] | None | Unset
        if isinstance(self.settings, Unset):
            settings = UNSET
        elif isinstance(self.settings, ProjectSettingsIn):
            settings = self.settings.to_dict()
        else:
            settings = self.settings

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if owner_email is not UNSET:
            field_dict["owner_email"] = owner_email
        if settings is not UNSET:
            field_dict["settings"] = settings

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.project_settings_in import ProjectSettingsIn  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_owner_email(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        owner_email = _parse_owner_email(d.pop("owner_email", UNSET))

        def _parse_settings(data: object) -> None | ProjectSettingsIn | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                settings_type_0 = ProjectSettingsIn.from_dict(data)

                return settings_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ProjectSettingsIn | Unset, data)

        settings = _parse_settings(d.pop("settings", UNSET))

        project_patch = cls(
            name=name,
            owner_email=owner_email,
            settings=settings,
        )

        return project_patch
