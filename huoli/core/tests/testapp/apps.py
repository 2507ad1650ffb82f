from django.apps import AppConfig


class CoreTestAppConfig(AppConfig):
    name = "huoli.core.tests.testapp"
    label = "core_testapp"
