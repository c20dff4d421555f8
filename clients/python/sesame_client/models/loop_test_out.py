from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.loop_item_out import LoopItemOut


T = TypeVar("T", bound="LoopTestOut")


@_attrs_define
class LoopTestOut:
    """
    Attributes:
        items (list[LoopItemOut]): one mail per simulator mailbox
        ok (bool): all three feedback events arrived
        project_id (int):
        run_id (str):
        started_at (str):
        text (str): the same, as the CLI prints it
        waited_seconds (float):
    """

    items: list[LoopItemOut]
    ok: bool
    project_id: int
    run_id: str
    started_at: str
    text: str
    waited_seconds: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        ok = self.ok

        project_id = self.project_id

        run_id = self.run_id

        started_at = self.started_at

        text = self.text

        waited_seconds = self.waited_seconds

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "items": items,
                "ok": ok,
                "project_id": project_id,
                "run_id": run_id,
                "started_at": started_at,
                "text": text,
                "waited_seconds": waited_seconds,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.loop_item_out import LoopItemOut  # noqa: PLC0415

        d = dict(src_dict)
        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = LoopItemOut.from_dict(items_item_data)

            items.append(items_item)

        ok = d.pop("ok")

        project_id = d.pop("project_id")

        run_id = d.pop("run_id")

        started_at = d.pop("started_at")

        text = d.pop("text")

        waited_seconds = d.pop("waited_seconds")

        loop_test_out = cls(
            items=items,
            ok=ok,
            project_id=project_id,
            run_id=run_id,
            started_at=started_at,
            text=text,
            waited_seconds=waited_seconds,
        )

        loop_test_out.additional_properties = d
        return loop_test_out

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
