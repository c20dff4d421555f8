from enum import StrEnum


class ListSubscriptionsStatusType0(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    PENDING = "pending"
    UNSUBSCRIBED = "unsubscribed"

    def __str__(self) -> str:
        return str(self.value)
