from django.apps import AppConfig


class DemoConfig(AppConfig):
    """``manage.py demo_data``: demo accounts, opening hours and made-up contacts (demo mode
    only). An edge: it builds data through the services of the apps below it."""

    name = "huoli.demo"
    label = "demo"
    verbose_name = "Demo data"  # no models: never shown
