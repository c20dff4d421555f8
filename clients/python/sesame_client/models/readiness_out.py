from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.aws_call_out import AwsCallOut
    from ..models.check_out import CheckOut
    from ..models.readiness_out_counts import ReadinessOutCounts


T = TypeVar("T", bound="ReadinessOut")


@_attrs_define
class ReadinessOut:
    """
    Attributes:
        aws_calls (list[AwsCallOut]): the read-only AWS calls the report made
        checks (list[CheckOut]): one per item of AWS's production-access checklist
        counts (ReadinessOutCounts): checks per status
        domain (None | str):
        generated_at (str):
        project_id (int):
        ready (bool): no check fails
        region (None | str):
        text (str): the report as the CLI prints it
    """

    aws_calls: list[AwsCallOut]
    checks: list[CheckOut]
    counts: ReadinessOutCounts
    domain: None | str
    generated_at: str
    project_id: int
    ready: bool
    region: None | str
    text: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        aws_calls = []
        for aws_calls_item_data in self.aws_calls:
            aws_calls_item = aws_calls_item_data.to_dict()
            aws_calls.append(aws_calls_item)

        checks = []
        for checks_item_data in self.checks:
            checks_item = checks_item_data.to_dict()
            checks.append(checks_item)

        counts = self.counts.to_dict()

        domain: None | str
        domain = self.domain

        generated_at = self.generated_at

        project_id = self.project_id

        ready = self.ready

        region: None | str
        region = self.region

        text = self.text

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "aws_calls": aws_calls,
                "checks": checks,
                "counts": counts,
                "domain": domain,
                "generated_at": generated_at,
                "project_id": project_id,
                "ready": ready,
                "region": region,
                "text": text,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.aws_call_out import AwsCallOut  # noqa: PLC0415
        from ..models.check_out import CheckOut  # noqa: PLC0415
        from ..models.readiness_out_counts import ReadinessOutCounts  # noqa: PLC0415

        d = dict(src_dict)
        aws_calls = []
        _aws_calls = d.pop("aws_calls")
        for aws_calls_item_data in _aws_calls:
            aws_calls_item = AwsCallOut.from_dict(aws_calls_item_data)

            aws_calls.append(aws_calls_item)

        checks = []
        _checks = d.pop("checks")
        for checks_item_data in _checks:
            checks_item = CheckOut.from_dict(checks_item_data)

            checks.append(checks_item)

        counts = ReadinessOutCounts.from_dict(d.pop("counts"))

        def _parse_domain(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        domain = _parse_domain(d.pop("domain"))

        generated_at = d.pop("generated_at")

        project_id = d.pop("project_id")

        ready = d.pop("ready")

        def _parse_region(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        region = _parse_region(d.pop("region"))

        text = d.pop("text")

        readiness_out = cls(
            aws_calls=aws_calls,
            checks=checks,
            counts=counts,
            domain=domain,
            generated_at=generated_at,
            project_id=project_id,
            ready=ready,
            region=region,
            text=text,
        )

        readiness_out.additional_properties = d
        return readiness_out

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
