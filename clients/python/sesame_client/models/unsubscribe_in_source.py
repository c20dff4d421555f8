from enum import StrEnum


class UnsubscribeInSource(StrEnum):
    LINK = "link"
    ONE_CLICK = "one_click"

    def __str__(self) -> str:
        return str(self.value)
