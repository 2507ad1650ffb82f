from django.urls import path

from huoli.public import statistics_views, views

app_name = "public"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("chat/start/", views.chat_start_view, name="chat_start"),
    path("call/", views.call_view, name="call"),
    path("call/start/", views.call_start_view, name="call_start"),
    path("message/", views.message_new_view, name="message_new"),
    path("call-back/", views.callback_new_view, name="callback_new"),
    path("call-back/cancel/", views.callback_cancel_view, name="callback_cancel"),
    path("conversation/", views.conversation_view, name="conversation"),
    path("conversation/send/", views.conversation_send_view, name="conversation_send"),
    path("conversation/end/", views.conversation_end_view, name="conversation_end"),
    path(
        "conversation/to-message/",
        views.conversation_to_message_view,
        name="conversation_to_message",
    ),
    path(
        "conversation/keep-waiting/",
        views.conversation_keep_waiting_view,
        name="conversation_keep_waiting",
    ),
    path("conversation/feedback/", views.feedback_view, name="feedback"),
    path("return/", views.return_view, name="return"),
    path("exit/", views.exit_view, name="exit"),
    path("services/", views.services_view, name="services"),
    path("info/", views.info_list_view, name="info_list"),
    path("info/<slug:slug>/", views.info_view, name="info"),
    path("statistics/", statistics_views.statistics_view, name="statistics"),
    path(
        "statistics/<int:year>/<int:quarter>/",
        statistics_views.statistics_view,
        name="statistics_quarter",
    ),
    path(
        "statistics/<int:year>/<int:quarter>/csv/",
        statistics_views.statistics_csv_view,
        name="statistics_csv",
    ),
]

# Outside the language prefix: one stable address per language for partners' websites.
badge_urlpatterns = [
    path("badge/<str:language>.svg", views.badge_view, name="badge"),
]
