from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SourceRow")


@_attrs_define
class SourceRow:
    """
    Attributes:
        api_key_id (int | None):
        api_key_name (None | str):
        bounce_rate (float):
        bounces (int):
        complaint_rate (float):
        complaints (int):
        flag_reasons (list[str]):
        flagged (bool):
        import_filename (None | str):
        import_id (int | None):
        import_status (None | str):
        label (str):
        list_id (int | None):
        list_name (None | str):
        sent (int):
        source (str):
    """

    api_key_id: int | None
    api_key_name: None | str
    bounce_rate: float
    bounces: int
    complaint_rate: float
    complaints: int
    flag_reasons: list[str]
    flagged: bool
    import_filename: None | str
    import_id: int | None
    import_status: None | str
    label: str
    list_id: int | None
    list_name: None | str
    sent: int
    source: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        api_key_id: int | None
        api_key_id = self.api_key_id

        api_key_name: None | str
        api_key_name = self.api_key_name

        bounce_rate = self.bounce_rate

        bounces = self.bounces

        complaint_rate = self.complaint_rate

        complaints = self.complaints

        flag_reasons = self.flag_reasons

        flagged = self.flagged

        import_filename: None | str
        import_filename = self.import_filename

        import_id: int | None
        import_id = self.import_id

        import_status: None | str
        import_status = self.import_status

        label = self.label

        list_id: int | None
        list_id = self.list_id

        list_name: None | str
        list_name = self.list_name

        sent = self.sent

        source = self.source

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "api_key_id": api_key_id,
                "api_key_name": api_key_name,
                "bounce_rate": bounce_rate,
                "bounces": bounces,
                "complaint_rate": complaint_rate,
                "complaints": complaints,
                "flag_reasons": flag_reasons,
                "flagged": flagged,
                "import_filename": import_filename,
                "import_id": import_id,
                "import_status": import_status,
                "label": label,
                "list_id": list_id,
                "list_name": list_name,
                "sent": sent,
                "source": source,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_api_key_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        api_key_id = _parse_api_key_id(d.pop("api_key_id"))

        def _parse_api_key_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        api_key_name = _parse_api_key_name(d.pop("api_key_name"))

        bounce_rate = d.pop("bounce_rate")

        bounces = d.pop("bounces")

        complaint_rate = d.pop("complaint_rate")

        complaints = d.pop("complaints")

        flag_reasons = cast(list[str], d.pop("flag_reasons"))

        flagged = d.pop("flagged")

        def _parse_import_filename(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        import_filename = _parse_import_filename(d.pop("import_filename"))

        def _parse_import_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        import_id = _parse_import_id(d.pop("import_id"))

        def _parse_import_status(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        import_status = _parse_import_status(d.pop("import_status"))

        label = d.pop("label")

        def _parse_list_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        list_id = _parse_list_id(d.pop("list_id"))

        def _parse_list_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        list_name = _parse_list_name(d.pop("list_name"))

        sent = d.pop("sent")

        source = d.pop("source")

        source_row = cls(
            api_key_id=api_key_id,
            api_key_name=api_key_name,
            bounce_rate=bounce_rate,
            bounces=bounces,
            complaint_rate=complaint_rate,
            complaints=complaints,
            flag_reasons=flag_reasons,
            flagged=flagged,
            import_filename=import_filename,
            import_id=import_id,
            import_status=import_status,
            label=label,
            list_id=list_id,
            list_name=list_name,
            sent=sent,
            source=source,
        )

        source_row.additional_properties = d
        return source_row

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
