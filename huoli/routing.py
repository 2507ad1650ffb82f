"""Websocket URL wiring only."""

from django.urls import path

from huoli.console.consumers import StaffConsumer
from huoli.public.consumers import VisitorConsumer

websocket_urlpatterns = [
    path("console/ws/", StaffConsumer.as_asgi()),
    path("chat/ws/", VisitorConsumer.as_asgi()),
]
