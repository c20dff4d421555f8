from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.import_quality import ImportQuality


T = TypeVar("T", bound="ImportOut")


@_attrs_define
class ImportOut:
    """
    Attributes:
        consent_source (str):
        contacts_created (int):
        created_at (str): ISO 8601, UTC
        decided_at (None | str):
        decided_by (None | str):
        error (None | str): why a failed import stopped
        filename (None | str):
        finished_at (None | str):
        hold_reason (None | str): why a held import waits for accept / reject
        id (int):
        list_id (int):
        processed_bytes (int):
        progress (float): 0..1 of the file read
        quality (ImportQuality | None): the screening's report (null: not screened (yet))
        rows_duplicate (int):
        rows_failed (int):
        rows_imported (int):
        rows_processed (int):
        status (str): running | completed | failed | held | rejected
        subscriptions_created (int):
        total_bytes (int):
        updated_at (str): ISO 8601, UTC
    """

    consent_source: str
    contacts_created: int
    created_at: str
    decided_at: None | str
    decided_by: None | str
    error: None | str
    filename: None | str
    finished_at: None | str
    hold_reason: None | str
    id: int
    list_id: int
    processed_bytes: int
    progress: float
    quality: ImportQuality | None
    rows_duplicate: int
    rows_failed: int
    rows_imported: int
    rows_processed: int
    status: str
    subscriptions_created: int
    total_bytes: int
    updated_at: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.import_quality import ImportQuality  # noqa: PLC0415

        consent_source = self.consent_source

        contacts_created = self.contacts_created

        created_at = self.created_at

        decided_at: None | str
        decided_at = self.decided_at

        decided_by: None | str
        decided_by = self.decided_by

        error: None | str
        error = self.error

        filename: None | str
        filename = self.filename

        finished_at: None | str
        finished_at = self.finished_at

        hold_reason: None | str
        hold_reason = self.hold_reason

        id = self.id

        list_id = self.list_id

        processed_bytes = self.processed_bytes

        progress = self.progress

        quality: dict[str, Any] | None
        if isinstance(self.quality, ImportQuality):
            quality = self.quality.to_dict()
        else:
            quality = self.quality

        rows_duplicate = self.rows_duplicate

        rows_failed = self.rows_failed

        rows_imported = self.rows_imported

        rows_processed = self.rows_processed

        status = self.status

        subscriptions_created = self.subscriptions_created

        total_bytes = self.total_bytes

        updated_at = self.updated_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "consent_source": consent_source,
                "contacts_created": contacts_created,
                "created_at": created_at,
                "decided_at": decided_at,
                "decided_by": decided_by,
                "error": error,
                "filename": filename,
                "finished_at": finished_at,
                "hold_reason": hold_reason,
                "id": id,
                "list_id": list_id,
                "processed_bytes": processed_bytes,
                "progress": progress,
                "quality": quality,
                "rows_duplicate": rows_duplicate,
                "rows_failed": rows_failed,
                "rows_imported": rows_imported,
                "rows_processed": rows_processed,
                "status": status,
                "subscriptions_created": subscriptions_created,
                "total_bytes": total_bytes,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.import_quality import ImportQuality  # noqa: PLC0415

        d = dict(src_dict)
        consent_source = d.pop("consent_source")

        contacts_created = d.pop("contacts_created")

        created_at = d.pop("created_at")

        def _parse_decided_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        decided_at = _parse_decided_at(d.pop("decided_at"))

        def _parse_decided_by(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        decided_by = _parse_decided_by(d.pop("decided_by"))

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        def _parse_filename(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        filename = _parse_filename(d.pop("filename"))

        def _parse_finished_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        finished_at = _parse_finished_at(d.pop("finished_at"))

        def _parse_hold_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        hold_reason = _parse_hold_reason(d.pop("hold_reason"))

        id = d.pop("id")

        list_id = d.pop("list_id")

        processed_bytes = d.pop("processed_bytes")

        progress = d.pop("progress")

        def _parse_quality(data: object) -> ImportQuality | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                quality_type_0 = ImportQuality.from_dict(data)

                return quality_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ImportQuality | None, data)

        quality = _parse_quality(d.pop("quality"))

        rows_duplicate = d.pop("rows_duplicate")

        rows_failed = d.pop("rows_failed")

        rows_imported = d.pop("rows_imported")

        rows_processed = d.pop("rows_processed")

        status = d.pop("status")

        subscriptions_created = d.pop("subscriptions_created")

        total_bytes = d.pop("total_bytes")

        updated_at = d.pop("updated_at")

        import_out = cls(
            consent_source=consent_source,
            contacts_created=contacts_created,
            created_at=created_at,
            decided_at=decided_at,
            decided_by=decided_by,
            error=error,
            filename=filename,
            finished_at=finished_at,
            hold_reason=hold_reason,
            id=id,
            list_id=list_id,
            processed_bytes=processed_bytes,
            progress=progress,
            quality=quality,
            rows_duplicate=rows_duplicate,
            rows_failed=rows_failed,
            rows_imported=rows_imported,
            rows_processed=rows_processed,
            status=status,
            subscriptions_created=subscriptions_created,
            total_bytes=total_bytes,
            updated_at=updated_at,
        )

        import_out.additional_properties = d
        return import_out

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
