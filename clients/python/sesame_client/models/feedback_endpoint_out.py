from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.sns_subscription_out import SnsSubscriptionOut


T = TypeVar("T", bound="FeedbackEndpointOut")


@_attrs_define
class FeedbackEndpointOut:
    """
    Attributes:
        allowed_topic_arns (list[str]): topics whose notifications are accepted (besides those Sesame subscribed itself)
        subscriptions (list[SnsSubscriptionOut]):
        token (str): the secret part of the URL (rotate it to revoke the old URL)
        url (str): the project's secret SNS webhook URL: subscribe the SES feedback topics to it
    """

    allowed_topic_arns: list[str]
    subscriptions: list[SnsSubscriptionOut]
    token: str
    url: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        allowed_topic_arns = self.allowed_topic_arns

        subscriptions = []
        for subscriptions_item_data in self.subscriptions:
            subscriptions_item = subscriptions_item_data.to_dict()
            subscriptions.append(subscriptions_item)

        token = self.token

        url = self.url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "allowed_topic_arns": allowed_topic_arns,
                "subscriptions": subscriptions,
                "token": token,
                "url": url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.sns_subscription_out import SnsSubscriptionOut  # noqa: PLC0415

        d = dict(src_dict)
        allowed_topic_arns = cast(list[str], d.pop("allowed_topic_arns"))

        subscriptions = []
        _subscriptions = d.pop("subscriptions")
        for subscriptions_item_data in _subscriptions:
            subscriptions_item = SnsSubscriptionOut.from_dict(subscriptions_item_data)

            subscriptions.append(subscriptions_item)

        token = d.pop("token")

        url = d.pop("url")

        feedback_endpoint_out = cls(
            allowed_topic_arns=allowed_topic_arns,
            subscriptions=subscriptions,
            token=token,
            url=url,
        )

        feedback_endpoint_out.additional_properties = d
        return feedback_endpoint_out

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
