from enum import StrEnum


class ConnectInModeType0(StrEnum):
    CONFIGURATION_SET = "configuration_set"
    IDENTITY = "identity"

    def __str__(self) -> str:
        return str(self.value)
