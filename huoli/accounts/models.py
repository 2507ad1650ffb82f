from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huoli.core.fields import EncryptedTextField
from huoli.core.roles import Role


class User(AbstractUser):
    """A staff member. Visitors never have accounts."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.COUNSELLOR)
    is_demo = models.BooleanField(
        _("demo account"),
        default=False,
        help_text=_("Created by the demo data; may log in without two-factor in demo mode only."),
    )
    failed_login_count = models.PositiveSmallIntegerField(_("failed logins in a row"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="accounts_user_role_valid"
            )
        ]

    def save(self, *args, **kwargs):
        # Only administrators reach the Django admin; their admin rights follow the role.
        self.is_staff = self.role == Role.ADMINISTRATOR
        self.is_superuser = self.role == Role.ADMINISTRATOR
        super().save(*args, **kwargs)

    def is_locked(self, now=None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or timezone.now())

    @property
    def display_name(self) -> str:
        """The name colleagues (and visitors) know this person by."""
        profile = getattr(self, "counsellor_profile", None)
        return (profile.display_name if profile else "") or self.first_name or self.username

    @property
    def is_counselling_staff(self) -> bool:
        return self.role in (Role.COUNSELLOR, Role.SUPERVISOR)


def spoken_language_codes() -> list[str]:
    return [code for code, _name in settings.HUOLI_SPOKEN_LANGUAGES]


class CounsellorProfile(models.Model):
    """What visitors and the queue need to know about a counsellor."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="counsellor_profile", verbose_name=_("user")
    )
    display_name = models.CharField(
        _("display name"),
        max_length=40,
        help_text=_("Shown to visitors. A first name is enough."),
    )
    languages = models.JSONField(
        _("languages spoken"), default=list, help_text=_("Language codes, e.g. fi, sv, ar.")
    )
    max_chats = models.PositiveSmallIntegerField(
        _("chats at once"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
    )

    takes_calls = models.BooleanField(
        _("takes calls"),
        default=False,
        help_text=_("While on duty, calls to the line ring in your console."),
    )

    # How the console tells of a new chat, call or message, a visitor writing and an
    # escalation (console/static/console/notify.js): a sound at this volume (0 to 100) and,
    # when the browser allows it, a desktop notification that says only what happened.
    notify_sound = models.BooleanField(_("sound for what needs me"), default=True)
    notify_volume = models.PositiveSmallIntegerField(
        _("sound volume"), default=60, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    notify_desktop = models.BooleanField(_("desktop notifications"), default=False)

    on_duty = models.BooleanField(_("on duty"), default=False)
    on_duty_since = models.DateTimeField(_("on duty since"), null=True, blank=True)

    # A desk SIP phone's digest credential, MD5(user:realm:password) as Kamailio checks it:
    # the password itself is shown once and never kept. Empty: no desk phone.
    desk_phone_ha1 = EncryptedTextField(_("desk phone credential"), blank=True, default="")
    desk_phone_set_at = models.DateTimeField(_("desk phone password made"), null=True, blank=True)

    class Meta:
        verbose_name = _("counsellor profile")
        verbose_name_plural = _("counsellor profiles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_chats__gte=1, max_chats__lte=6),
                name="accounts_profile_max_chats_range",
            ),
            models.CheckConstraint(
                condition=models.Q(notify_volume__lte=100),
                name="accounts_profile_notify_volume_range",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name
