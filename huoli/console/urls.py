from django.contrib import admin
from django.urls import path
from django.views.i18n import set_language

from huoli.console import (
    callback_views,
    case_views,
    chat_views,
    directory_views,
    phone_views,
    record_views,
    report_views,
    review_views,
    supervision_views,
    views,
)

app_name = "console"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("login/", views.login_view, name="login"),
    path("login/verify/", views.login_verify_view, name="login_verify"),
    path("logout/", views.logout_view, name="logout"),
    path("two-factor/", views.two_factor_setup_view, name="two_factor_setup"),
    path("profile/", views.profile_view, name="profile"),
    path("profile/desk-phone/", views.desk_phone_view, name="desk_phone"),
    path("flood/", views.flood_view, name="flood"),
    path("audit/", views.audit_list_view, name="audit_list"),
    path("audit/<int:seq>/", views.audit_detail_view, name="audit_detail"),
    path("language/", set_language, name="set_language"),
    path("duty/", chat_views.duty_view, name="duty"),
    path("work/", chat_views.work_panel_view, name="work_panel"),
    path("conversations/", chat_views.conversation_list_view, name="conversation_list"),
    path("conversations/<int:conversation_id>/", chat_views.conversation_view, name="conversation"),
    path("conversations/<int:conversation_id>/take/", chat_views.take_view, name="take"),
    path(
        "conversations/<int:conversation_id>/call-back/",
        callback_views.callback_new_view,
        name="callback_new",
    ),
    path(
        "call-backs/<int:conversation_id>/call/",
        callback_views.callback_call_view,
        name="callback_call",
    ),
    path(
        "call-backs/<int:conversation_id>/outcome/",
        callback_views.callback_outcome_view,
        name="callback_outcome",
    ),
    path("conversations/<int:conversation_id>/reply/", chat_views.reply_view, name="reply"),
    path(
        "conversations/<int:conversation_id>/note/",
        chat_views.staff_note_view,
        name="staff_note",
    ),
    path("conversations/<int:conversation_id>/end/", chat_views.end_view, name="end"),
    path(
        "conversations/<int:conversation_id>/transfer/",
        chat_views.transfer_view,
        name="transfer",
    ),
    path("conversations/<int:conversation_id>/join/", chat_views.join_view, name="join"),
    path("conversations/<int:conversation_id>/flag/", chat_views.flag_view, name="flag"),
    path(
        "conversations/<int:conversation_id>/escalate/",
        record_views.conversation_escalate_view,
        name="conversation_escalate",
    ),
    path("calls/new/", record_views.call_new_view, name="call_new"),
    path("phone/", phone_views.phone_config_view, name="phone"),
    path("calls/<int:conversation_id>/answer/", phone_views.call_answer_view, name="call_answer"),
    path(
        "calls/<int:conversation_id>/decline/",
        phone_views.call_decline_view,
        name="call_decline",
    ),
    path("calls/<int:conversation_id>/end/", phone_views.call_hang_up_view, name="call_hang_up"),
    path("records/<int:record_id>/", record_views.record_view, name="record"),
    path("records/<int:record_id>/case/", record_views.record_case_view, name="record_case"),
    path(
        "records/<int:record_id>/escalate/",
        record_views.record_escalate_view,
        name="record_escalate",
    ),
    path(
        "records/<int:record_id>/debrief/",
        supervision_views.record_debrief_view,
        name="record_debrief",
    ),
    path("handover/", supervision_views.handover_view, name="handover"),
    path(
        "handover/<int:note_id>/read/",
        supervision_views.handover_read_view,
        name="handover_read",
    ),
    path("debriefs/", supervision_views.debriefs_view, name="debriefs"),
    path(
        "debriefs/<int:debrief_id>/done/",
        supervision_views.debrief_done_view,
        name="debrief_done",
    ),
    path("supervision/", supervision_views.team_view, name="team"),
    path("cases/", case_views.case_list_view, name="case_list"),
    path("cases/<str:number>/", case_views.case_view, name="case"),
    path("cases/<str:number>/update/", case_views.case_update_view, name="case_update"),
    path(
        "cases/<str:number>/follow-ups/<int:follow_up_id>/done/",
        case_views.follow_up_done_view,
        name="follow_up_done",
    ),
    path("escalations/<int:escalation_id>/", case_views.escalation_view, name="escalation"),
    path("directory/", directory_views.directory_view, name="directory"),
    path("directory/results/", directory_views.directory_results_view, name="directory_results"),
    path(
        "directory/<int:service_id>/share/",
        directory_views.service_share_view,
        name="service_share",
    ),
    path(
        "directory/<int:service_id>/refer/",
        directory_views.service_refer_view,
        name="service_refer",
    ),
    path("directory/export.csv", directory_views.directory_export_view, name="directory_export"),
    path("directory/import/", directory_views.directory_import_view, name="directory_import"),
    path("reviews/", review_views.review_list_view, name="review_list"),
    path("reviews/draw/", review_views.review_draw_view, name="review_draw"),
    path("reviews/choose/", review_views.review_choose_view, name="review_choose"),
    path("reviews/<int:review_id>/", review_views.review_view, name="review"),
    path(
        "reviews/<int:review_id>/discard/",
        review_views.review_discard_view,
        name="review_discard",
    ),
    path(
        "reviews/<int:review_id>/acknowledge/",
        review_views.review_acknowledge_view,
        name="review_acknowledge",
    ),
    path("reports/", report_views.reports_view, name="reports"),
    path("reports/statistics.csv", report_views.reports_csv_view, name="reports_csv"),
    path("reports/statistics.xlsx", report_views.reports_xlsx_view, name="reports_xlsx"),
    path("reports/report.pdf", report_views.reports_pdf_view, name="reports_pdf"),
]

admin_urlpatterns = [path("admin/", admin.site.urls)]
