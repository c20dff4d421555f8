from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.connect_in_mode_type_0 import ConnectInModeType0
from ..types import UNSET, Unset

T = TypeVar("T", bound="ConnectIn")


@_attrs_define
class ConnectIn:
    """
    Attributes:
        configuration_set (None | str | Unset):
        dry_run (bool | Unset):  Default: False.
        identity (None | str | Unset):
        import_suppressions (bool | Unset):  Default: True.
        mode (ConnectInModeType0 | None | Unset):
        prove_loop (bool | Unset):  Default: False.
        wait (bool | Unset):  Default: False.
    """

    configuration_set: None | str | Unset = UNSET
    dry_run: bool | Unset = False
    identity: None | str | Unset = UNSET
    import_suppressions: bool | Unset = True
    mode: ConnectInModeType0 | None | Unset = UNSET
    prove_loop: bool | Unset = False
    wait: bool | Unset = False

    def to_dict(self) -> dict[str, Any]:
        configuration_set: None | str | Unset
        if isinstance(self.configuration_set, Unset):
            configuration_set = UNSET
        else:
            configuration_set = self.configuration_set

        dry_run = self.dry_run

        identity: None | str | Unset
        if isinstance(self.identity, Unset):
            identity = UNSET
        else:
            identity = self.identity

        import_suppressions = self.import_suppressions

        mode: None | str | Unset
        if isinstance(self.mode, Unset):
            mode = UNSET
        elif isinstance(self.mode, ConnectInModeType0):
            mode = self.mode.value
        else:
            mode = self.mode

        prove_loop = self.prove_loop

        wait = self.wait

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if configuration_set is not UNSET:
            field_dict["configuration_set"] = configuration_set
        if dry_run is not UNSET:
            field_dict["dry_run"] = dry_run
        if identity is not UNSET:
            field_dict["identity"] = identity
        if import_suppressions is not UNSET:
            field_dict["import_suppressions"] = import_suppressions
        if mode is not UNSET:
            field_dict["mode"] = mode
        if prove_loop is not UNSET:
            field_dict["prove_loop"] = prove_loop
        if wait is not UNSET:
            field_dict["wait"] = wait

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_configuration_set(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        configuration_set = _parse_configuration_set(d.pop("configuration_set", UNSET))

        dry_run = d.pop("dry_run", UNSET)

        def _parse_identity(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        identity = _parse_identity(d.pop("identity", UNSET))

        import_suppressions = d.pop("import_suppressions", UNSET)

        def _parse_mode(data: object) -> ConnectInModeType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                mode_type_0 = ConnectInModeType0(data)

                return mode_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ConnectInModeType0 | None | Unset, data)

        mode = _parse_mode(d.pop("mode", UNSET))

        prove_loop = d.pop("prove_loop", UNSET)

        wait = d.pop("wait", UNSET)

        connect_in = cls(
            configuration_set=configuration_set,
            dry_run=dry_run,
            identity=identity,
            import_suppressions=import_suppressions,
            mode=mode,
            prove_loop=prove_loop,
            wait=wait,
        )

        return connect_in
