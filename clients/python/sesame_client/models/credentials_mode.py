from enum import StrEnum


class CredentialsMode(StrEnum):
    CHAIN = "chain"
    KEYS = "keys"

    def __str__(self) -> str:
        return str(self.value)
