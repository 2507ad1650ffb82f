"""A model that exists only in the test database, to exercise core fields on their own."""

from django.db import models

from huoli.core.fields import EncryptedTextField


class SecretNote(models.Model):
    title = models.CharField(max_length=50)
    body = EncryptedTextField()
    extra = EncryptedTextField(null=True, blank=True)

    class Meta:
        app_label = "core_testapp"

    def __str__(self) -> str:
        return self.title
