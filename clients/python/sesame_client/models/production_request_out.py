from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.readiness_report_out import ReadinessReportOut


T = TypeVar("T", bound="ProductionRequestOut")


@_attrs_define
class ProductionRequestOut:
    """
    Attributes:
        ready (bool):
        report (ReadinessReportOut):
        text (str): the draft of the AWS production-access request
        unverified (list[str]): claims left as TODO in the draft, with the failing check
    """

    ready: bool
    report: ReadinessReportOut
    text: str
    unverified: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        ready = self.ready

        report = self.report.to_dict()

        text = self.text

        unverified = self.unverified

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "ready": ready,
                "report": report,
                "text": text,
                "unverified": unverified,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.readiness_report_out import ReadinessReportOut  # noqa: PLC0415

        d = dict(src_dict)
        ready = d.pop("ready")

        report = ReadinessReportOut.from_dict(d.pop("report"))

        text = d.pop("text")

        unverified = cast(list[str], d.pop("unverified"))

        production_request_out = cls(
            ready=ready,
            report=report,
            text=text,
            unverified=unverified,
        )

        production_request_out.additional_properties = d
        return production_request_out

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
