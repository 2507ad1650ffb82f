"""Websocket URL wiring only."""

from django.urls import path

from huoli.console.consumers import StaffConsumer

websocket_urlpatterns = [
    path("console/ws/", StaffConsumer.as_asgi()),
]
