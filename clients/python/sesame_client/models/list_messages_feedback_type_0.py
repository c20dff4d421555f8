from enum import StrEnum


class ListMessagesFeedbackType0(StrEnum):
    BOUNCED = "bounced"
    COMPLAINED = "complained"
    DELIVERED = "delivered"
    REJECTED = "rejected"

    def __str__(self) -> str:
        return str(self.value)
