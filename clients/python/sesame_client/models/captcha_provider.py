from enum import StrEnum


class CaptchaProvider(StrEnum):
    ALTCHA = "altcha"
    HCAPTCHA = "hcaptcha"
    NONE = "none"
    RECAPTCHA = "recaptcha"
    TURNSTILE = "turnstile"

    def __str__(self) -> str:
        return str(self.value)
