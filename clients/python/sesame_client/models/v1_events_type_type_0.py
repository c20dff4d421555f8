from enum import StrEnum


class V1EventsTypeType0(StrEnum):
    BOUNCE = "bounce"
    CLICK = "click"
    COMPLAINT = "complaint"
    DELIVERY = "delivery"
    DELIVERY_DELAY = "delivery_delay"
    OPEN = "open"
    REJECT = "reject"
    RENDERING_FAILURE = "rendering_failure"
    SEND = "send"
    SUBSCRIPTION = "subscription"

    def __str__(self) -> str:
        return str(self.value)
