from enum import StrEnum


class GuardUpdateDigestType0(StrEnum):
    DAILY = "daily"
    HOURLY = "hourly"
    IMMEDIATE = "immediate"
    OFF = "off"

    def __str__(self) -> str:
        return str(self.value)
