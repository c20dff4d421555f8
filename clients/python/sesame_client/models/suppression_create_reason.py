from enum import StrEnum


class SuppressionCreateReason(StrEnum):
    COMPLAINT = "complaint"
    HARD_BOUNCE = "hard_bounce"
    MANUAL = "manual"
    SES_SUPPRESSION = "ses_suppression"
    SOFT_BOUNCE = "soft_bounce"
    UNSUBSCRIBED_ALL = "unsubscribed_all"

    def __str__(self) -> str:
        return str(self.value)
