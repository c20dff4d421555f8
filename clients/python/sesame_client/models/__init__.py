"""Contains all the data models used in inputs/outputs"""

from .account_in import AccountIn
from .account_quota import AccountQuota
from .api_key_created import ApiKeyCreated
from .api_key_out import ApiKeyOut
from .api_key_page import ApiKeyPage
from .attempt_out import AttemptOut
from .aws_call_out import AwsCallOut
from .aws_call_out_params import AwsCallOutParams
from .bounced import Bounced
from .branding import Branding
from .campaign_in import CampaignIn
from .campaign_in_canary import CampaignInCanary
from .campaign_out import CampaignOut
from .campaign_page import CampaignPage
from .campaign_patch import CampaignPatch
from .campaign_patch_canary_type_0 import CampaignPatchCanaryType0
from .campaign_report import CampaignReport
from .canary_out import CanaryOut
from .canary_policy_out import CanaryPolicyOut
from .canary_policy_out_window_source import CanaryPolicyOutWindowSource
from .canary_sample import CanarySample
from .captcha import Captcha
from .captcha_out import CaptchaOut
from .captcha_provider import CaptchaProvider
from .capture_out import CaptureOut
from .capture_page import CapturePage
from .change_out import ChangeOut
from .change_page import ChangePage
from .check_out import CheckOut
from .check_out_facts import CheckOutFacts
from .confirmation_preview import ConfirmationPreview
from .confirmation_preview_in import ConfirmationPreviewIn
from .confirmation_sent import ConfirmationSent
from .connect_in import ConnectIn
from .connect_in_mode_type_0 import ConnectInModeType0
from .connect_outcome_out import ConnectOutcomeOut
from .connect_result_out import ConnectResultOut
from .connect_result_out_subscriptions import ConnectResultOutSubscriptions
from .connect_result_out_topics import ConnectResultOutTopics
from .connect_result_out_tracking_sets import ConnectResultOutTrackingSets
from .connect_started import ConnectStarted
from .connect_step import ConnectStep
from .contact_create import ContactCreate
from .contact_create_attributes import ContactCreateAttributes
from .contact_detail_out import ContactDetailOut
from .contact_detail_out_attributes import ContactDetailOutAttributes
from .contact_engagement_out import ContactEngagementOut
from .contact_out import ContactOut
from .contact_out_attributes import ContactOutAttributes
from .contact_page import ContactPage
from .contact_patch import ContactPatch
from .contact_patch_attributes import ContactPatchAttributes
from .contact_subscription_out import ContactSubscriptionOut
from .credentials import Credentials
from .credentials_mode import CredentialsMode
from .credentials_out import CredentialsOut
from .decision import Decision
from .decision_out import DecisionOut
from .delivery_detail import DeliveryDetail
from .delivery_out import DeliveryOut
from .delivery_page import DeliveryPage
from .dns_screening import DnsScreening
from .domain_count import DomainCount
from .domain_share import DomainShare
from .endpoint_in import EndpointIn
from .endpoint_out import EndpointOut
from .endpoint_page import EndpointPage
from .endpoint_patch import EndpointPatch
from .endpoint_update import EndpointUpdate
from .endpoint_with_secret import EndpointWithSecret
from .error import Error
from .error_body import ErrorBody
from .error_body_error import ErrorBodyError
from .event_out import EventOut
from .event_out_detail_type_0 import EventOutDetailType0
from .event_page import EventPage
from .event_types import EventTypes
from .feedback_endpoint_out import FeedbackEndpointOut
from .feedback_overview_out import FeedbackOverviewOut
from .feedback_subscription import FeedbackSubscription
from .form_branding import FormBranding
from .form_branding_out import FormBrandingOut
from .form_field import FormField
from .form_field_out import FormFieldOut
from .form_settings import FormSettings
from .form_settings_out import FormSettingsOut
from .guard_assessment import GuardAssessment
from .guard_brief import GuardBrief
from .guard_out import GuardOut
from .guard_policy import GuardPolicy
from .guard_thresholds import GuardThresholds
from .guard_update import GuardUpdate
from .guard_update_digest_type_0 import GuardUpdateDigestType0
from .guarded_rate import GuardedRate
from .import_out import ImportOut
from .import_page import ImportPage
from .import_quality import ImportQuality
from .import_row_error_out import ImportRowErrorOut
from .import_row_error_page import ImportRowErrorPage
from .key_create import KeyCreate
from .keys_used import KeysUsed
from .keys_used_used import KeysUsedUsed
from .link_stat import LinkStat
from .list_counts import ListCounts
from .list_create import ListCreate
from .list_messages_feedback_type_0 import ListMessagesFeedbackType0
from .list_out import ListOut
from .list_page import ListPage
from .list_patch import ListPatch
from .list_subscriptions_status_type_0 import ListSubscriptionsStatusType0
from .list_suppressions_reason_type_0 import ListSuppressionsReasonType0
from .loop_in import LoopIn
from .loop_item_out import LoopItemOut
from .loop_result_out import LoopResultOut
from .loop_run_out import LoopRunOut
from .loop_started import LoopStarted
from .loop_test_out import LoopTestOut
from .message_out import MessageOut
from .message_page import MessagePage
from .point import Point
from .point_resolution import PointResolution
from .preferences_in import PreferencesIn
from .preferences_in_action import PreferencesInAction
from .preview_in import PreviewIn
from .preview_in_attributes import PreviewInAttributes
from .preview_in_variables import PreviewInVariables
from .production_request_out import ProductionRequestOut
from .progress import Progress
from .progress_counts import ProgressCounts
from .progress_feedback import ProgressFeedback
from .project_create import ProjectCreate
from .project_out import ProjectOut
from .project_out_settings import ProjectOutSettings
from .project_patch import ProjectPatch
from .project_settings_in import ProjectSettingsIn
from .rates import Rates
from .readiness_out import ReadinessOut
from .readiness_out_counts import ReadinessOutCounts
from .readiness_report_out import ReadinessReportOut
from .readiness_report_out_counts import ReadinessReportOutCounts
from .removal_out import RemovalOut
from .removal_page import RemovalPage
from .render_in import RenderIn
from .render_in_attributes import RenderInAttributes
from .render_in_variables import RenderInVariables
from .render_out import RenderOut
from .reputation_bucket_out import ReputationBucketOut
from .reputation_out import ReputationOut
from .reputation_out_windows import ReputationOutWindows
from .reputation_series import ReputationSeries
from .send_in import SendIn
from .send_request import SendRequest
from .send_request_headers import SendRequestHeaders
from .send_request_variables import SendRequestVariables
from .sending_out import SendingOut
from .sending_quota import SendingQuota
from .sending_resumed import SendingResumed
from .ses_account_out import SesAccountOut
from .share_of_rows import ShareOfRows
from .signup_accepted import SignupAccepted
from .sns_subscription_out import SnsSubscriptionOut
from .source_row import SourceRow
from .sources_out import SourcesOut
from .sources_out_thresholds import SourcesOutThresholds
from .start_import_json_body import StartImportJsonBody
from .start_import_json_body_contacts_item import StartImportJsonBodyContactsItem
from .start_import_json_body_contacts_item_attributes import StartImportJsonBodyContactsItemAttributes
from .subscribe_with_form_data_signup_in import SubscribeWithFormDataSignupIn
from .subscribe_with_form_data_signup_in_attributes import SubscribeWithFormDataSignupInAttributes
from .subscribe_with_form_json_signup_in import SubscribeWithFormJsonSignupIn
from .subscribe_with_form_json_signup_in_attributes import SubscribeWithFormJsonSignupInAttributes
from .subscription_create import SubscriptionCreate
from .subscription_create_attributes import SubscriptionCreateAttributes
from .subscription_create_status_type_0 import SubscriptionCreateStatusType0
from .subscription_created import SubscriptionCreated
from .subscription_out import SubscriptionOut
from .subscription_page import SubscriptionPage
from .subscription_patch import SubscriptionPatch
from .subscription_patch_status import SubscriptionPatchStatus
from .suppression_create import SuppressionCreate
from .suppression_create_reason import SuppressionCreateReason
from .suppression_created_out import SuppressionCreatedOut
from .suppression_import_out import SuppressionImportOut
from .suppression_import_row_error import SuppressionImportRowError
from .suppression_out import SuppressionOut
from .suppression_page import SuppressionPage
from .suppression_remove import SuppressionRemove
from .suppression_settings_in import SuppressionSettingsIn
from .suppression_settings_out import SuppressionSettingsOut
from .suppression_sync_out import SuppressionSyncOut
from .template_in import TemplateIn
from .template_out import TemplateOut
from .template_page import TemplatePage
from .timeseries import Timeseries
from .token_in import TokenIn
from .tracking import Tracking
from .tracking_settings import TrackingSettings
from .unique_total import UniqueTotal
from .unsubscribe_in import UnsubscribeIn
from .unsubscribe_in_source import UnsubscribeInSource
from .v1_events_type_type_0 import V1EventsTypeType0
from .validation_error import ValidationError
from .validation_error_context import ValidationErrorContext
from .waiting_counts import WaitingCounts
from .warmup_out import WarmupOut
from .window_rates_out import WindowRatesOut

__all__ = (
    "AccountIn",
    "AccountQuota",
    "ApiKeyCreated",
    "ApiKeyOut",
    "ApiKeyPage",
    "AttemptOut",
    "AwsCallOut",
    "AwsCallOutParams",
    "Bounced",
    "Branding",
    "CampaignIn",
    "CampaignInCanary",
    "CampaignOut",
    "CampaignPage",
    "CampaignPatch",
    "CampaignPatchCanaryType0",
    "CampaignReport",
    "CanaryOut",
    "CanaryPolicyOut",
    "CanaryPolicyOutWindowSource",
    "CanarySample",
    "Captcha",
    "CaptchaOut",
    "CaptchaProvider",
    "CaptureOut",
    "CapturePage",
    "ChangeOut",
    "ChangePage",
    "CheckOut",
    "CheckOutFacts",
    "ConfirmationPreview",
    "ConfirmationPreviewIn",
    "ConfirmationSent",
    "ConnectIn",
    "ConnectInModeType0",
    "ConnectOutcomeOut",
    "ConnectResultOut",
    "ConnectResultOutSubscriptions",
    "ConnectResultOutTopics",
    "ConnectResultOutTrackingSets",
    "ConnectStarted",
    "ConnectStep",
    "ContactCreate",
    "ContactCreateAttributes",
    "ContactDetailOut",
    "ContactDetailOutAttributes",
    "ContactEngagementOut",
    "ContactOut",
    "ContactOutAttributes",
    "ContactPage",
    "ContactPatch",
    "ContactPatchAttributes",
    "ContactSubscriptionOut",
    "Credentials",
    "CredentialsMode",
    "CredentialsOut",
    "Decision",
    "DecisionOut",
    "DeliveryDetail",
    "DeliveryOut",
    "DeliveryPage",
    "DnsScreening",
    "DomainCount",
    "DomainShare",
    "EndpointIn",
    "EndpointOut",
    "EndpointPage",
    "EndpointPatch",
    "EndpointUpdate",
    "EndpointWithSecret",
    "Error",
    "ErrorBody",
    "ErrorBodyError",
    "EventOut",
    "EventOutDetailType0",
    "EventPage",
    "EventTypes",
    "FeedbackEndpointOut",
    "FeedbackOverviewOut",
    "FeedbackSubscription",
    "FormBranding",
    "FormBrandingOut",
    "FormField",
    "FormFieldOut",
    "FormSettings",
    "FormSettingsOut",
    "GuardAssessment",
    "GuardBrief",
    "GuardedRate",
    "GuardOut",
    "GuardPolicy",
    "GuardThresholds",
    "GuardUpdate",
    "GuardUpdateDigestType0",
    "ImportOut",
    "ImportPage",
    "ImportQuality",
    "ImportRowErrorOut",
    "ImportRowErrorPage",
    "KeyCreate",
    "KeysUsed",
    "KeysUsedUsed",
    "LinkStat",
    "ListCounts",
    "ListCreate",
    "ListMessagesFeedbackType0",
    "ListOut",
    "ListPage",
    "ListPatch",
    "ListSubscriptionsStatusType0",
    "ListSuppressionsReasonType0",
    "LoopIn",
    "LoopItemOut",
    "LoopResultOut",
    "LoopRunOut",
    "LoopStarted",
    "LoopTestOut",
    "MessageOut",
    "MessagePage",
    "Point",
    "PointResolution",
    "PreferencesIn",
    "PreferencesInAction",
    "PreviewIn",
    "PreviewInAttributes",
    "PreviewInVariables",
    "ProductionRequestOut",
    "Progress",
    "ProgressCounts",
    "ProgressFeedback",
    "ProjectCreate",
    "ProjectOut",
    "ProjectOutSettings",
    "ProjectPatch",
    "ProjectSettingsIn",
    "Rates",
    "ReadinessOut",
    "ReadinessOutCounts",
    "ReadinessReportOut",
    "ReadinessReportOutCounts",
    "RemovalOut",
    "RemovalPage",
    "RenderIn",
    "RenderInAttributes",
    "RenderInVariables",
    "RenderOut",
    "ReputationBucketOut",
    "ReputationOut",
    "ReputationOutWindows",
    "ReputationSeries",
    "SendIn",
    "SendingOut",
    "SendingQuota",
    "SendingResumed",
    "SendRequest",
    "SendRequestHeaders",
    "SendRequestVariables",
    "SesAccountOut",
    "ShareOfRows",
    "SignupAccepted",
    "SnsSubscriptionOut",
    "SourceRow",
    "SourcesOut",
    "SourcesOutThresholds",
    "StartImportJsonBody",
    "StartImportJsonBodyContactsItem",
    "StartImportJsonBodyContactsItemAttributes",
    "SubscribeWithFormDataSignupIn",
    "SubscribeWithFormDataSignupInAttributes",
    "SubscribeWithFormJsonSignupIn",
    "SubscribeWithFormJsonSignupInAttributes",
    "SubscriptionCreate",
    "SubscriptionCreateAttributes",
    "SubscriptionCreated",
    "SubscriptionCreateStatusType0",
    "SubscriptionOut",
    "SubscriptionPage",
    "SubscriptionPatch",
    "SubscriptionPatchStatus",
    "SuppressionCreate",
    "SuppressionCreatedOut",
    "SuppressionCreateReason",
    "SuppressionImportOut",
    "SuppressionImportRowError",
    "SuppressionOut",
    "SuppressionPage",
    "SuppressionRemove",
    "SuppressionSettingsIn",
    "SuppressionSettingsOut",
    "SuppressionSyncOut",
    "TemplateIn",
    "TemplateOut",
    "TemplatePage",
    "Timeseries",
    "TokenIn",
    "Tracking",
    "TrackingSettings",
    "UniqueTotal",
    "UnsubscribeIn",
    "UnsubscribeInSource",
    "V1EventsTypeType0",
    "ValidationError",
    "ValidationErrorContext",
    "WaitingCounts",
    "WarmupOut",
    "WindowRatesOut",
)
