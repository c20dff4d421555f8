from enum import StrEnum


class SubscriptionCreateStatusType0(StrEnum):
    ACTIVE = "active"
    PENDING = "pending"

    def __str__(self) -> str:
        return str(self.value)
