from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.branding import Branding
    from ..models.tracking_settings import TrackingSettings


T = TypeVar("T", bound="ProjectSettingsIn")


@_attrs_define
class ProjectSettingsIn:
    """Known knobs are validated; other services' keys (extra) are kept as given. A null value removes a key.

    Attributes:
        allowed_redirect_hosts (list[str] | None | Unset):
        branding (Branding | None | Unset):
        canary_window_seconds (int | None | Unset):
        from_email (None | str | Unset):
        from_name (None | str | Unset):
        tracking (None | TrackingSettings | Unset):
    """

    allowed_redirect_hosts: list[str] | None | Unset = UNSET
    branding: Branding | None | Unset = UNSET
    canary_window_seconds: int | None | Unset = UNSET
    from_email: None | str | Unset = UNSET
    from_name: None | str | Unset = UNSET
    tracking: None | TrackingSettings | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.branding import Branding  # noqa: PLC0415
        from ..models.tracking_settings import TrackingSettings  # noqa: PLC0415

        allowed_redirect_hosts: list[str] | None | Unset
        if isinstance(self.allowed_redirect_hosts, Unset):
            allowed_redirect_hosts = UNSET
        elif isinstance(self.allowed_redirect_hosts, list):
            allowed_redirect_hosts = self.allowed_redirect_hosts

        else:
            allowed_redirect_hosts = self.allowed_redirect_hosts

        branding: dict[str, Any] | None | Unset
        if isinstance(self.branding, Unset):
            branding = UNSET
        elif isinstance(self.branding, Branding):
            branding = self.branding.to_dict()
        else:
            branding = self.branding

        canary_window_seconds: int | None | Unset
        if isinstance(self.canary_window_seconds, Unset):
            canary_window_seconds = UNSET
        else:
            canary_window_seconds = self.canary_window_seconds

        from_email: None | str | Unset
        if isinstance(self.from_email, Unset):
            from_email = UNSET
        else:
            from_email = self.from_email

        from_name: None | str | Unset
        if isinstance(self.from_name, Unset):
            from_name = UNSET
        else:
            from_name = self.from_name

        tracking: dict[str, Any] | None | Unset
        if isinstance(self.tracking, Unset):
            tracking = UNSET
        elif isinstance(self.tracking, TrackingSettings):
            tracking = self.tracking.to_dict()
        else:
            tracking = self.tracking

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if allowed_redirect_hosts is not UNSET:
            field_dict["allowed_redirect_hosts"] = allowed_redirect_hosts
        if branding is not UNSET:
            field_dict["branding"] = branding
        if canary_window_seconds is not UNSET:
            field_dict["canary_window_seconds"] = canary_window_seconds
        if from_email is not UNSET:
            field_dict["from_email"] = from_email
        if from_name is not UNSET:
            field_dict["from_name"] = from_name
        if tracking is not UNSET:
            field_dict["tracking"] = tracking

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.branding import Branding  # noqa: PLC0415
        from ..models.tracking_settings import TrackingSettings  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_allowed_redirect_hosts(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                allowed_redirect_hosts_type_0 = cast(list[str], data)

                return allowed_redirect_hosts_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        allowed_redirect_hosts = _parse_allowed_redirect_hosts(d.pop("allowed_redirect_hosts", UNSET))

        def _parse_branding(data: object) -> Branding | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                branding_type_0 = Branding.from_dict(data)

                return branding_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Branding | None | Unset, data)

        branding = _parse_branding(d.pop("branding", UNSET))

        def _parse_canary_window_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        canary_window_seconds = _parse_canary_window_seconds(d.pop("canary_window_seconds", UNSET))

        def _parse_from_email(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        from_email = _parse_from_email(d.pop("from_email", UNSET))

        def _parse_from_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        from_name = _parse_from_name(d.pop("from_name", UNSET))

        def _parse_tracking(data: object) -> None | TrackingSettings | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                tracking_type_0 = TrackingSettings.from_dict(data)

                return tracking_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TrackingSettings | Unset, data)

        tracking = _parse_tracking(d.pop("tracking", UNSET))

        project_settings_in = cls(
            allowed_redirect_hosts=allowed_redirect_hosts,
            branding=branding,
            canary_window_seconds=canary_window_seconds,
            from_email=from_email,
            from_name=from_name,
            tracking=tracking,
        )

        project_settings_in.additional_properties = d
        return project_settings_in

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
