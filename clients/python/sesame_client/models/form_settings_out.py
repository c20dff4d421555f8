from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.captcha_out import CaptchaOut
    from ..models.form_branding_out import FormBrandingOut
    from ..models.form_field_out import FormFieldOut


T = TypeVar("T", bound="FormSettingsOut")


@_attrs_define
class FormSettingsOut:
    """The hosted form's settings as stored (see the list's create/update body for what each means): a setting
    left unset is absent (the routes answer with `response_model_exclude_unset`).

        Attributes:
            branding (FormBrandingOut | None | Unset):
            button_label (None | str | Unset):
            captcha (CaptchaOut | Unset):
            confirmation_body (None | str | Unset): null: the built-in mail
            confirmation_subject (None | str | Unset): null: the built-in mail
            fields (list[FormFieldOut | str] | Unset): extra form fields, stored as contact attributes
            honeypot (bool | Unset):  Default: True.
            intro (None | str | Unset):
            locale (None | str | Unset): null: the subscriber's browser language
            redirect_url (None | str | Unset):
            title (None | str | Unset):
    """

    branding: FormBrandingOut | None | Unset = UNSET
    button_label: None | str | Unset = UNSET
    captcha: CaptchaOut | Unset = UNSET
    confirmation_body: None | str | Unset = UNSET
    confirmation_subject: None | str | Unset = UNSET
    fields: list[FormFieldOut | str] | Unset = UNSET
    honeypot: bool | Unset = True
    intro: None | str | Unset = UNSET
    locale: None | str | Unset = UNSET
    redirect_url: None | str | Unset = UNSET
    title: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.form_branding_out import FormBrandingOut  # noqa: PLC0415
        from ..models.form_field_out import FormFieldOut  # noqa: PLC0415

        branding: dict[str, Any] | None | Unset
        if isinstance(self.branding, Unset):
            branding = UNSET
        elif isinstance(self.branding, FormBrandingOut):
            branding = self.branding.to_dict()
        else:
            branding = self.branding

        button_label: None | str | Unset
        if isinstance(self.button_label, Unset):
            button_label = UNSET
        else:
            button_label = self.button_label

        captcha: dict[str, Any] | Unset = UNSET
        if not isinstance(self.captcha, Unset):
            captcha = self.captcha.to_dict()

        confirmation_body: None | str | Unset
        if isinstance(self.confirmation_body, Unset):
            confirmation_body = UNSET
        else:
            confirmation_body = self.confirmation_body

        confirmation_subject: None | str | Unset
        if isinstance(self.confirmation_subject, Unset):
            confirmation_subject = UNSET
        else:
            confirmation_subject = self.confirmation_subject

        fields: list[dict[str, Any] | str] | Unset = UNSET
        if not isinstance(self.fields, Unset):
            fields = []
            for fields_item_data in self.fields:
                fields_item: dict[str, Any] | str
                if isinstance(fields_item_data, FormFieldOut):
                    fields_item = fields_item_data.to_dict()
                else:
                    fields_item = fields_item_data
                fields.append(fields_item)

        honeypot = self.honeypot

        intro: None | str | Unset
        if isinstance(self.intro, Unset):
            intro = UNSET
        else:
            intro = self.intro

        locale: None | str | Unset
        if isinstance(self.locale, Unset):
            locale = UNSET
        else:
            locale = self.locale

        redirect_url: None | str | Unset
        if isinstance(self.redirect_url, Unset):
            redirect_url = UNSET
        else:
            redirect_url = self.redirect_url

        title: None | str | Unset
        if isinstance(self.title, Unset):
            title = UNSET
        else:
            title = self.title

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if branding is not UNSET:
            field_dict["branding"] = branding
        if button_label is not UNSET:
            field_dict["button_label"] = button_label
        if captcha is not UNSET:
            field_dict["captcha"] = captcha
        if confirmation_body is not UNSET:
            field_dict["confirmation_body"] = confirmation_body
        if confirmation_subject is not UNSET:
            field_dict["confirmation_subject"] = confirmation_subject
        if fields is not UNSET:
            field_dict["fields"] = fields
        if honeypot is not UNSET:
            field_dict["honeypot"] = honeypot
        if intro is not UNSET:
            field_dict["intro"] = intro
        if locale is not UNSET:
            field_dict["locale"] = locale
        if redirect_url is not UNSET:
            field_dict["redirect_url"] = redirect_url
        if title is not UNSET:
            field_dict["title"] = title

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.captcha_out import CaptchaOut  # noqa: PLC0415
        from ..models.form_branding_out import FormBrandingOut  # noqa: PLC0415
        from ..models.form_field_out import FormFieldOut  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_branding(data: object) -> FormBrandingOut | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                branding_type_0 = FormBrandingOut.from_dict(data)

                return branding_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FormBrandingOut | None | Unset, data)

        branding = _parse_branding(d.pop("branding", UNSET))

        def _parse_button_label(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        button_label = _parse_button_label(d.pop("button_label", UNSET))

        _captcha = d.pop("captcha", UNSET)
        captcha: CaptchaOut | Unset
        if isinstance(_captcha, Unset):
            captcha = UNSET
        else:
            captcha = CaptchaOut.from_dict(_captcha)

        def _parse_confirmation_body(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        confirmation_body = _parse_confirmation_body(d.pop("confirmation_body", UNSET))

        def _parse_confirmation_subject(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        confirmation_subject = _parse_confirmation_subject(d.pop("confirmation_subject", UNSET))

        _fields = d.pop("fields", UNSET)
        fields: list[FormFieldOut | str] | Unset = UNSET
        if _fields is not UNSET:
            fields = []
            for fields_item_data in _fields:

                def _parse_fields_item(data: object) -> FormFieldOut | str:
                    try:
                        if not isinstance(data, dict):
                            raise TypeError()
                        fields_item_type_0 = FormFieldOut.from_dict(data)

                        return fields_item_type_0
                    except (TypeError, ValueError, AttributeError, KeyError):
                        pass
                    return cast(FormFieldOut | str, data)

                fields_item = _parse_fields_item(fields_item_data)

                fields.append(fields_item)

        honeypot = d.pop("honeypot", UNSET)

        def _parse_intro(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        intro = _parse_intro(d.pop("intro", UNSET))

        def _parse_locale(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        locale = _parse_locale(d.pop("locale", UNSET))

        def _parse_redirect_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        redirect_url = _parse_redirect_url(d.pop("redirect_url", UNSET))

        def _parse_title(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        title = _parse_title(d.pop("title", UNSET))

        form_settings_out = cls(
            branding=branding,
            button_label=button_label,
            captcha=captcha,
            confirmation_body=confirmation_body,
            confirmation_subject=confirmation_subject,
            fields=fields,
            honeypot=honeypot,
            intro=intro,
            locale=locale,
            redirect_url=redirect_url,
            title=title,
        )

        form_settings_out.additional_properties = d
        return form_settings_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
