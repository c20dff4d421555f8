from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.dns_screening import DnsScreening
    from ..models.domain_share import DomainShare
    from ..models.share_of_rows import ShareOfRows


T = TypeVar("T", bound="ImportQuality")


@_attrs_define
class ImportQuality:
    """The list-quality report of an import's screening, with the keys it was stored with (the import routes
    answer with `response_model_exclude_unset`).

        Attributes:
            disposable (DomainShare):
            dns (DnsScreening):
            duplicate (ShareOfRows):
            hold_threshold (float): over this risk the import is held
            no_mx (DomainShare):
            risk_score (float): risky rows' share of the rows checked
            role (ShareOfRows):
            rows (int):
            syntax_invalid (ShareOfRows):
            risky_rows (int | None | Unset): rows with at least one reason (role, disposable, no MX), each counted once;
                absent from reports made before it was counted
    """

    disposable: DomainShare
    dns: DnsScreening
    duplicate: ShareOfRows
    hold_threshold: float
    no_mx: DomainShare
    risk_score: float
    role: ShareOfRows
    rows: int
    syntax_invalid: ShareOfRows
    risky_rows: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        disposable = self.disposable.to_dict()

        dns = self.dns.to_dict()

        duplicate = self.duplicate.to_dict()

        hold_threshold = self.hold_threshold

        no_mx = self.no_mx.to_dict()

        risk_score = self.risk_score

        role = self.role.to_dict()

        rows = self.rows

        syntax_invalid = self.syntax_invalid.to_dict()

        risky_rows: int | None | Unset
        if isinstance(self.risky_rows, Unset):
            risky_rows = UNSET
        else:
            risky_rows = self.risky_rows

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "disposable": disposable,
                "dns": dns,
                "duplicate": duplicate,
                "hold_threshold": hold_threshold,
                "no_mx": no_mx,
                "risk_score": risk_score,
                "role": role,
                "rows": rows,
                "syntax_invalid": syntax_invalid,
            }
        )
        if risky_rows is not UNSET:
            field_dict["risky_rows"] = risky_rows

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.dns_screening import DnsScreening  # noqa: PLC0415
        from ..models.domain_share import DomainShare  # noqa: PLC0415
        from ..models.share_of_rows import ShareOfRows  # noqa: PLC0415

        d = dict(src_dict)
        disposable = DomainShare.from_dict(d.pop("disposable"))

        dns = DnsScreening.from_dict(d.pop("dns"))

        duplicate = ShareOfRows.from_dict(d.pop("duplicate"))

        hold_threshold = d.pop("hold_threshold")

        no_mx = DomainShare.from_dict(d.pop("no_mx"))

        risk_score = d.pop("risk_score")

        role = ShareOfRows.from_dict(d.pop("role"))

        rows = d.pop("rows")

        syntax_invalid = ShareOfRows.from_dict(d.pop("syntax_invalid"))

        def _parse_risky_rows(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        risky_rows = _parse_risky_rows(d.pop("risky_rows", UNSET))

        import_quality = cls(
            disposable=disposable,
            dns=dns,
            duplicate=duplicate,
            hold_threshold=hold_threshold,
            no_mx=no_mx,
            risk_score=risk_score,
            role=role,
            rows=rows,
            syntax_invalid=syntax_invalid,
            risky_rows=risky_rows,
        )

        import_quality.additional_properties = d
        return import_quality

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
