"""Contains all the data models used in inputs/outputs"""

from .account_in import AccountIn
from .bounced import Bounced
from .branding import Branding
from .campaign_in import CampaignIn
from .campaign_out import CampaignOut
from .campaign_page import CampaignPage
from .campaign_report import CampaignReport
from .captcha import Captcha
from .captcha_provider import CaptchaProvider
from .capture_out import CaptureOut
from .capture_page import CapturePage
from .confirmation_preview_in import ConfirmationPreviewIn
from .confirmation_preview_response_confirmation_preview_v1_lists_list_id_confirmation_preview_post import (
    ConfirmationPreviewResponseConfirmationPreviewV1ListsListIdConfirmationPreviewPost,
)
from .connect_in import ConnectIn
from .connect_in_mode_type_0 import ConnectInModeType0
from .connect_status_route_response_connect_status_route_v1_ses_account_connect_get import (
    ConnectStatusRouteResponseConnectStatusRouteV1SesAccountConnectGet,
)
from .contact_changes_response_contact_changes_v1_contacts_contact_id_changes_get import (
    ContactChangesResponseContactChangesV1ContactsContactIdChangesGet,
)
from .contact_create import ContactCreate
from .contact_create_attributes import ContactCreateAttributes
from .contact_engagement_out import ContactEngagementOut
from .contact_patch import ContactPatch
from .contact_patch_attributes import ContactPatchAttributes
from .create_contact_response_create_contact_v1_contacts_post import (
    CreateContactResponseCreateContactV1ContactsPost,
)
from .create_list_response_create_list_v1_lists_post import CreateListResponseCreateListV1ListsPost
from .create_subscription_response_create_subscription_v1_subscriptions_post import (
    CreateSubscriptionResponseCreateSubscriptionV1SubscriptionsPost,
)
from .create_suppression_response_create_suppression_v1_suppressions_post import (
    CreateSuppressionResponseCreateSuppressionV1SuppressionsPost,
)
from .credentials import Credentials
from .credentials_mode import CredentialsMode
from .decision import Decision
from .decision_out import DecisionOut
from .delete_suppression_response_delete_suppression_v1_suppressions_suppression_id_delete import (
    DeleteSuppressionResponseDeleteSuppressionV1SuppressionsSuppressionIdDelete,
)
from .endpoint_update import EndpointUpdate
from .error import Error
from .error_body import ErrorBody
from .error_body_error import ErrorBodyError
from .event_out import EventOut
from .event_out_detail_type_0 import EventOutDetailType0
from .event_page import EventPage
from .feedback_route_response_feedback_route_v1_ses_account_feedback_get import (
    FeedbackRouteResponseFeedbackRouteV1SesAccountFeedbackGet,
)
from .form_branding import FormBranding
from .form_field import FormField
from .form_settings import FormSettings
from .get_account_response_get_account_v1_ses_account_get import GetAccountResponseGetAccountV1SesAccountGet
from .get_sending_response_get_sending_v1_sending_get import GetSendingResponseGetSendingV1SendingGet
from .guard_update import GuardUpdate
from .guard_update_digest_type_0 import GuardUpdateDigestType0
from .guarded_rate import GuardedRate
from .import_errors_response_import_errors_v1_imports_import_id_errors_get import (
    ImportErrorsResponseImportErrorsV1ImportsImportIdErrorsGet,
)
from .import_suppressions_response_import_suppressions_v1_suppressions_import_post import (
    ImportSuppressionsResponseImportSuppressionsV1SuppressionsImportPost,
)
from .key_create import KeyCreate
from .keys_used import KeysUsed
from .keys_used_used import KeysUsedUsed
from .link_stat import LinkStat
from .list_contacts_response_list_contacts_v1_contacts_get import (
    ListContactsResponseListContactsV1ContactsGet,
)
from .list_create import ListCreate
from .list_imports_response_list_imports_v1_imports_get import ListImportsResponseListImportsV1ImportsGet
from .list_keys_response_list_keys_v1_api_keys_get import ListKeysResponseListKeysV1ApiKeysGet
from .list_lists_response_list_lists_v1_lists_get import ListListsResponseListListsV1ListsGet
from .list_messages_feedback_type_0 import ListMessagesFeedbackType0
from .list_patch import ListPatch
from .list_removals_response_list_removals_v1_suppressions_removals_get import (
    ListRemovalsResponseListRemovalsV1SuppressionsRemovalsGet,
)
from .list_subscriptions_response_list_subscriptions_v1_subscriptions_get import (
    ListSubscriptionsResponseListSubscriptionsV1SubscriptionsGet,
)
from .list_subscriptions_status_type_0 import ListSubscriptionsStatusType0
from .list_suppressions_reason_type_0 import ListSuppressionsReasonType0
from .list_suppressions_response_list_suppressions_v1_suppressions_get import (
    ListSuppressionsResponseListSuppressionsV1SuppressionsGet,
)
from .loop_in import LoopIn
from .message_out import MessageOut
from .message_page import MessagePage
from .new_key_response_new_key_v1_api_keys_post import NewKeyResponseNewKeyV1ApiKeysPost
from .point import Point
from .point_resolution import PointResolution
from .preferences_in import PreferencesIn
from .preferences_in_action import PreferencesInAction
from .preview_in import PreviewIn
from .preview_in_attributes import PreviewInAttributes
from .preview_in_variables import PreviewInVariables
from .production_request_route_response_production_request_route_v1_ses_account_production_request_get import (
    ProductionRequestRouteResponseProductionRequestRouteV1SesAccountProductionRequestGet,
)
from .progress import Progress
from .progress_counts import ProgressCounts
from .progress_feedback import ProgressFeedback
from .project_create import ProjectCreate
from .project_patch import ProjectPatch
from .project_settings_in import ProjectSettingsIn
from .put_account_response_put_account_v1_ses_account_put import PutAccountResponsePutAccountV1SesAccountPut
from .rates import Rates
from .read_contact_response_read_contact_v1_contacts_contact_id_get import (
    ReadContactResponseReadContactV1ContactsContactIdGet,
)
from .read_import_response_read_import_v1_imports_import_id_get import (
    ReadImportResponseReadImportV1ImportsImportIdGet,
)
from .read_list_response_read_list_v1_lists_list_id_get import ReadListResponseReadListV1ListsListIdGet
from .read_project_response_read_project_v1_project_get import ReadProjectResponseReadProjectV1ProjectGet
from .read_subscription_response_read_subscription_v1_subscriptions_sub_id_get import (
    ReadSubscriptionResponseReadSubscriptionV1SubscriptionsSubIdGet,
)
from .read_suppression_response_read_suppression_v1_suppressions_suppression_id_get import (
    ReadSuppressionResponseReadSuppressionV1SuppressionsSuppressionIdGet,
)
from .readiness_route_response_readiness_route_v1_ses_account_readiness_get import (
    ReadinessRouteResponseReadinessRouteV1SesAccountReadinessGet,
)
from .remove_suppression_response_remove_suppression_v1_suppressions_suppression_id_remove_post import (
    RemoveSuppressionResponseRemoveSuppressionV1SuppressionsSuppressionIdRemovePost,
)
from .render_in import RenderIn
from .render_in_attributes import RenderInAttributes
from .render_in_variables import RenderInVariables
from .render_out import RenderOut
from .resend_confirmation_response_resend_confirmation_v1_subscriptions_sub_id_resend_confirmation_post import (
    ResendConfirmationResponseResendConfirmationV1SubscriptionsSubIdResendConfirmationPost,
)
from .resume_sending_response_resume_sending_v1_sending_resume_post import (
    ResumeSendingResponseResumeSendingV1SendingResumePost,
)
from .revoke_key_response_revoke_key_v1_api_keys_key_id_delete import (
    RevokeKeyResponseRevokeKeyV1ApiKeysKeyIdDelete,
)
from .send_in import SendIn
from .send_request import SendRequest
from .send_request_headers import SendRequestHeaders
from .send_request_variables import SendRequestVariables
from .source_row import SourceRow
from .sources_out import SourcesOut
from .sources_out_thresholds import SourcesOutThresholds
from .start_import_response_start_import_v1_lists_list_id_imports_post import (
    StartImportResponseStartImportV1ListsListIdImportsPost,
)
from .subscription_changes_response_subscription_changes_v1_subscriptions_sub_id_changes_get import (
    SubscriptionChangesResponseSubscriptionChangesV1SubscriptionsSubIdChangesGet,
)
from .subscription_create import SubscriptionCreate
from .subscription_create_attributes import SubscriptionCreateAttributes
from .subscription_create_status_type_0 import SubscriptionCreateStatusType0
from .subscription_patch import SubscriptionPatch
from .subscription_patch_status import SubscriptionPatchStatus
from .suppression_create import SuppressionCreate
from .suppression_create_reason import SuppressionCreateReason
from .suppression_remove import SuppressionRemove
from .suppression_settings_in import SuppressionSettingsIn
from .suppression_settings_route_response_suppression_settings_route_v1_ses_account_suppressions_settings_put import (
    SuppressionSettingsRouteResponseSuppressionSettingsRouteV1SesAccountSuppressionsSettingsPut,
)
from .sync_route_response_sync_route_v1_ses_account_suppressions_sync_post import (
    SyncRouteResponseSyncRouteV1SesAccountSuppressionsSyncPost,
)
from .template_in import TemplateIn
from .template_out import TemplateOut
from .template_page import TemplatePage
from .timeseries import Timeseries
from .token_in import TokenIn
from .tracking import Tracking
from .unique_total import UniqueTotal
from .unsubscribe_in import UnsubscribeIn
from .unsubscribe_in_source import UnsubscribeInSource
from .update_contact_response_update_contact_v1_contacts_contact_id_patch import (
    UpdateContactResponseUpdateContactV1ContactsContactIdPatch,
)
from .update_list_response_update_list_v1_lists_list_id_patch import (
    UpdateListResponseUpdateListV1ListsListIdPatch,
)
from .update_project_response_update_project_v1_project_patch import (
    UpdateProjectResponseUpdateProjectV1ProjectPatch,
)
from .update_subscription_response_update_subscription_v1_subscriptions_sub_id_patch import (
    UpdateSubscriptionResponseUpdateSubscriptionV1SubscriptionsSubIdPatch,
)
from .v1_events_type_type_0 import V1EventsTypeType0
from .v1_get_endpoint_response_v1_get_endpoint_v1_feedback_endpoint_get import (
    V1GetEndpointResponseV1GetEndpointV1FeedbackEndpointGet,
)
from .v1_guard_response_v1_guard_v1_guard_get import V1GuardResponseV1GuardV1GuardGet
from .v1_patch_guard_response_v1_patch_guard_v1_guard_patch import (
    V1PatchGuardResponseV1PatchGuardV1GuardPatch,
)
from .v1_put_endpoint_response_v1_put_endpoint_v1_feedback_endpoint_put import (
    V1PutEndpointResponseV1PutEndpointV1FeedbackEndpointPut,
)
from .v1_reputation_response_v1_reputation_v1_reputation_get import (
    V1ReputationResponseV1ReputationV1ReputationGet,
)
from .v1_resume_response_v1_resume_v1_guard_resume_post import V1ResumeResponseV1ResumeV1GuardResumePost
from .v1_rotate_endpoint_response_v1_rotate_endpoint_v1_feedback_endpoint_rotate_post import (
    V1RotateEndpointResponseV1RotateEndpointV1FeedbackEndpointRotatePost,
)
from .validation_error import ValidationError
from .validation_error_context import ValidationErrorContext

__all__ = (
    "AccountIn",
    "Bounced",
    "Branding",
    "CampaignIn",
    "CampaignOut",
    "CampaignPage",
    "CampaignReport",
    "Captcha",
    "CaptchaProvider",
    "CaptureOut",
    "CapturePage",
    "ConfirmationPreviewIn",
    "ConfirmationPreviewResponseConfirmationPreviewV1ListsListIdConfirmationPreviewPost",
    "ConnectIn",
    "ConnectInModeType0",
    "ConnectStatusRouteResponseConnectStatusRouteV1SesAccountConnectGet",
    "ContactChangesResponseContactChangesV1ContactsContactIdChangesGet",
    "ContactCreate",
    "ContactCreateAttributes",
    "ContactEngagementOut",
    "ContactPatch",
    "ContactPatchAttributes",
    "CreateContactResponseCreateContactV1ContactsPost",
    "CreateListResponseCreateListV1ListsPost",
    "CreateSubscriptionResponseCreateSubscriptionV1SubscriptionsPost",
    "CreateSuppressionResponseCreateSuppressionV1SuppressionsPost",
    "Credentials",
    "CredentialsMode",
    "Decision",
    "DecisionOut",
    "DeleteSuppressionResponseDeleteSuppressionV1SuppressionsSuppressionIdDelete",
    "EndpointUpdate",
    "Error",
    "ErrorBody",
    "ErrorBodyError",
    "EventOut",
    "EventOutDetailType0",
    "EventPage",
    "FeedbackRouteResponseFeedbackRouteV1SesAccountFeedbackGet",
    "FormBranding",
    "FormField",
    "FormSettings",
    "GetAccountResponseGetAccountV1SesAccountGet",
    "GetSendingResponseGetSendingV1SendingGet",
    "GuardedRate",
    "GuardUpdate",
    "GuardUpdateDigestType0",
    "ImportErrorsResponseImportErrorsV1ImportsImportIdErrorsGet",
    "ImportSuppressionsResponseImportSuppressionsV1SuppressionsImportPost",
    "KeyCreate",
    "KeysUsed",
    "KeysUsedUsed",
    "LinkStat",
    "ListContactsResponseListContactsV1ContactsGet",
    "ListCreate",
    "ListImportsResponseListImportsV1ImportsGet",
    "ListKeysResponseListKeysV1ApiKeysGet",
    "ListListsResponseListListsV1ListsGet",
    "ListMessagesFeedbackType0",
    "ListPatch",
    "ListRemovalsResponseListRemovalsV1SuppressionsRemovalsGet",
    "ListSubscriptionsResponseListSubscriptionsV1SubscriptionsGet",
    "ListSubscriptionsStatusType0",
    "ListSuppressionsReasonType0",
    "ListSuppressionsResponseListSuppressionsV1SuppressionsGet",
    "LoopIn",
    "MessageOut",
    "MessagePage",
    "NewKeyResponseNewKeyV1ApiKeysPost",
    "Point",
    "PointResolution",
    "PreferencesIn",
    "PreferencesInAction",
    "PreviewIn",
    "PreviewInAttributes",
    "PreviewInVariables",
    "ProductionRequestRouteResponseProductionRequestRouteV1SesAccountProductionRequestGet",
    "Progress",
    "ProgressCounts",
    "ProgressFeedback",
    "ProjectCreate",
    "ProjectPatch",
    "ProjectSettingsIn",
    "PutAccountResponsePutAccountV1SesAccountPut",
    "Rates",
    "ReadContactResponseReadContactV1ContactsContactIdGet",
    "ReadImportResponseReadImportV1ImportsImportIdGet",
    "ReadinessRouteResponseReadinessRouteV1SesAccountReadinessGet",
    "ReadListResponseReadListV1ListsListIdGet",
    "ReadProjectResponseReadProjectV1ProjectGet",
    "ReadSubscriptionResponseReadSubscriptionV1SubscriptionsSubIdGet",
    "ReadSuppressionResponseReadSuppressionV1SuppressionsSuppressionIdGet",
    "RemoveSuppressionResponseRemoveSuppressionV1SuppressionsSuppressionIdRemovePost",
    "RenderIn",
    "RenderInAttributes",
    "RenderInVariables",
    "RenderOut",
    "ResendConfirmationResponseResendConfirmationV1SubscriptionsSubIdResendConfirmationPost",
    "ResumeSendingResponseResumeSendingV1SendingResumePost",
    "RevokeKeyResponseRevokeKeyV1ApiKeysKeyIdDelete",
    "SendIn",
    "SendRequest",
    "SendRequestHeaders",
    "SendRequestVariables",
    "SourceRow",
    "SourcesOut",
    "SourcesOutThresholds",
    "StartImportResponseStartImportV1ListsListIdImportsPost",
    "SubscriptionChangesResponseSubscriptionChangesV1SubscriptionsSubIdChangesGet",
    "SubscriptionCreate",
    "SubscriptionCreateAttributes",
    "SubscriptionCreateStatusType0",
    "SubscriptionPatch",
    "SubscriptionPatchStatus",
    "SuppressionCreate",
    "SuppressionCreateReason",
    "SuppressionRemove",
    "SuppressionSettingsIn",
    "SuppressionSettingsRouteResponseSuppressionSettingsRouteV1SesAccountSuppressionsSettingsPut",
    "SyncRouteResponseSyncRouteV1SesAccountSuppressionsSyncPost",
    "TemplateIn",
    "TemplateOut",
    "TemplatePage",
    "Timeseries",
    "TokenIn",
    "Tracking",
    "UniqueTotal",
    "UnsubscribeIn",
    "UnsubscribeInSource",
    "UpdateContactResponseUpdateContactV1ContactsContactIdPatch",
    "UpdateListResponseUpdateListV1ListsListIdPatch",
    "UpdateProjectResponseUpdateProjectV1ProjectPatch",
    "UpdateSubscriptionResponseUpdateSubscriptionV1SubscriptionsSubIdPatch",
    "V1EventsTypeType0",
    "V1GetEndpointResponseV1GetEndpointV1FeedbackEndpointGet",
    "V1GuardResponseV1GuardV1GuardGet",
    "V1PatchGuardResponseV1PatchGuardV1GuardPatch",
    "V1PutEndpointResponseV1PutEndpointV1FeedbackEndpointPut",
    "V1ReputationResponseV1ReputationV1ReputationGet",
    "V1ResumeResponseV1ResumeV1GuardResumePost",
    "V1RotateEndpointResponseV1RotateEndpointV1FeedbackEndpointRotatePost",
    "ValidationError",
    "ValidationErrorContext",
)
