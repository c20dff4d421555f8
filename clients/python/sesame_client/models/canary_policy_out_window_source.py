from enum import StrEnum


class CanaryPolicyOutWindowSource(StrEnum):
    DEFAULT = "default"
    PROJECT = "project"

    def __str__(self) -> str:
        return str(self.value)
