from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.connect_result_out import ConnectResultOut
    from ..models.loop_result_out import LoopResultOut
    from ..models.suppression_sync_out import SuppressionSyncOut


T = TypeVar("T", bound="ConnectOutcomeOut")


@_attrs_define
class ConnectOutcomeOut:
    """The (last) connect run. `never_run` and `running` carry only `status` (and `started_at`), `failed` an
    `error`; `done` everything else.

        Attributes:
            status (str): never_run | running | done | failed
            at (None | str | Unset): done / failed: when it finished
            connect (ConnectResultOut | None | Unset):
            error (None | str | Unset): failed: why
            followup (ConnectResultOut | None | Unset): the second pass that turns e-mail feedback forwarding off once
                feedback is proven
            loop (LoopResultOut | None | Unset): the loop test, when `prove_loop` was asked
            ok (bool | None | Unset): connected (and, if asked, the feedback loop proven)
            started_at (None | str | Unset): running: when the background run began
            suppression_error (None | str | Unset):
            suppression_import (None | SuppressionSyncOut | Unset):
            text (None | str | Unset): the outcome as the CLI prints it
    """

    status: str
    at: None | str | Unset = UNSET
    connect: ConnectResultOut | None | Unset = UNSET
    error: None | str | Unset = UNSET
    followup: ConnectResultOut | None | Unset = UNSET
    loop: LoopResultOut | None | Unset = UNSET
    ok: bool | None | Unset = UNSET
    started_at: None | str | Unset = UNSET
    suppression_error: None | str | Unset = UNSET
    suppression_import: None | SuppressionSyncOut | Unset = UNSET
    text: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.connect_result_out import ConnectResultOut  # noqa: PLC0415
        from ..models.loop_result_out import LoopResultOut  # noqa: PLC0415
        from ..models.suppression_sync_out import SuppressionSyncOut  # noqa: PLC0415

        status = self.status

        at: None | str | Unset
        if isinstance(self.at, Unset):
            at = UNSET
        else:
            at = self.at

        connect: dict[str, Any] | None | Unset
        if isinstance(self.connect, Unset):
            connect = UNSET
        elif isinstance(self.connect, ConnectResultOut):
            connect = self.connect.to_dict()
        else:
            connect = self.connect

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        followup: dict[str, Any] | None | Unset
        if isinstance(self.followup, Unset):
            followup = UNSET
        elif isinstance(self.followup, ConnectResultOut):
            followup = self.followup.to_dict()
        else:
            followup = self.followup

        loop: dict[str, Any] | None | Unset
        if isinstance(self.loop, Unset):
            loop = UNSET
        elif isinstance(self.loop, LoopResultOut):
            loop = self.loop.to_dict()
        else:
            loop = self.loop

        ok: bool | None | Unset
        if isinstance(self.ok, Unset):
            ok = UNSET
        else:
            ok = self.ok

        started_at: None | str | Unset
        if isinstance(self.started_at, Unset):
            started_at = UNSET
        else:
            started_at = self.started_at

        suppression_error: None | str | Unset
        if isinstance(self.suppression_error, Unset):
            suppression_error = UNSET
        else:
            suppression_error = self.suppression_error

        suppression_import: dict[str, Any] | None | Unset
        if isinstance(self.suppression_import, Unset):
            suppression_import = UNSET
        elif isinstance(self.suppression_import, SuppressionSyncOut):
            suppression_import = self.suppression_import.to_dict()
        else:
            suppression_import = self.suppression_import

        text: None | str | Unset
        if isinstance(self.text, Unset):
            text = UNSET
        else:
            text = self.text

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "status": status,
            }
        )
        if at is not UNSET:
            field_dict["at"] = at
        if connect is not UNSET:
            field_dict["connect"] = connect
        if error is not UNSET:
            field_dict["error"] = error
        if followup is not UNSET:
            field_dict["followup"] = followup
        if loop is not UNSET:
            field_dict["loop"] = loop
        if ok is not UNSET:
            field_dict["ok"] = ok
        if started_at is not UNSET:
            field_dict["started_at"] = started_at
        if suppression_error is not UNSET:
            field_dict["suppression_error"] = suppression_error
        if suppression_import is not UNSET:
            field_dict["suppression_import"] = suppression_import
        if text is not UNSET:
            field_dict["text"] = text

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.connect_result_out import ConnectResultOut  # noqa: PLC0415
        from ..models.loop_result_out import LoopResultOut  # noqa: PLC0415
        from ..models.suppression_sync_out import SuppressionSyncOut  # noqa: PLC0415

        d = dict(src_dict)
        status = d.pop("status")

        def _parse_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        at = _parse_at(d.pop("at", UNSET))

        def _parse_connect(data: object) -> ConnectResultOut | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                connect_type_0 = ConnectResultOut.from_dict(data)

                return connect_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ConnectResultOut | None | Unset, data)

        connect = _parse_connect(d.pop("connect", UNSET))

        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        def _parse_followup(data: object) -> ConnectResultOut | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                followup_type_0 = ConnectResultOut.from_dict(data)

                return followup_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ConnectResultOut | None | Unset, data)

        followup = _parse_followup(d.pop("followup", UNSET))

        def _parse_loop(data: object) -> LoopResultOut | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                loop_type_0 = LoopResultOut.from_dict(data)

                return loop_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LoopResultOut | None | Unset, data)

        loop = _parse_loop(d.pop("loop", UNSET))

        def _parse_ok(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        ok = _parse_ok(d.pop("ok", UNSET))

        def _parse_started_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        started_at = _parse_started_at(d.pop("started_at", UNSET))

        def _parse_suppression_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        suppression_error = _parse_suppression_error(d.pop("suppression_error", UNSET))

        def _parse_suppression_import(data: object) -> None | SuppressionSyncOut | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                suppression_import_type_0 = SuppressionSyncOut.from_dict(data)

                return suppression_import_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SuppressionSyncOut | Unset, data)

        suppression_import = _parse_suppression_import(d.pop("suppression_import", UNSET))

        def _parse_text(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        text = _parse_text(d.pop("text", UNSET))

        connect_outcome_out = cls(
            status=status,
            at=at,
            connect=connect,
            error=error,
            followup=followup,
            loop=loop,
            ok=ok,
            started_at=started_at,
            suppression_error=suppression_error,
            suppression_import=suppression_import,
            text=text,
        )

        connect_outcome_out.additional_properties = d
        return connect_outcome_out

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
