from django.urls import path

from huoli.phone import views

app_name = "phone"

urlpatterns = [
    path("route/", views.route_view, name="route"),
    path("dial/", views.dial_view, name="dial"),
    path("event/", views.event_view, name="event"),
    path("register/", views.register_view, name="register"),
]

# Public: the recorded messages the "Call us" page plays (/sounds/<line>/<name>.wav).
sound_urlpatterns = [
    path("<str:line>/<str:name>.wav", views.sound_view, name="sound"),
]
