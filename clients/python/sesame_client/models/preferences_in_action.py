from enum import StrEnum


class PreferencesInAction(StrEnum):
    PAUSE = "pause"
    RESUBSCRIBE = "resubscribe"
    UNSUBSCRIBE = "unsubscribe"
    UNSUBSCRIBE_ALL = "unsubscribe_all"

    def __str__(self) -> str:
        return str(self.value)
