from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# Every action code written to the audit log, with its label. Apps add theirs here.
AUDIT_ACTION_LABELS = {
    "accounts.login": _("Logged in"),
    "accounts.locked": _("Account locked after failed attempts"),
    "accounts.unlocked": _("Account unlocked"),
    "accounts.two_factor_enrolled": _("Two-factor login set up"),
    "accounts.desk_phone_password": _("Made a new desk phone password"),
    "conversation.read": _("Opened a conversation"),
    "conversation.reply": _("Answered a conversation"),
    "conversation.end": _("Ended a conversation"),
    "conversation.transferred": _("Transferred a conversation"),
    "conversation.joined": _("Joined a conversation"),
    "conversation.escalate": _("Escalated from a conversation"),
    "conversation.refer": _("Recorded a referral from a conversation"),
    "record.read": _("Opened a contact record"),
    "record.update": _("Saved a contact record"),
    "record.completed": _("Completed a contact record"),
    "record.attached": _("Added a contact record to a case"),
    "record.escalate": _("Escalated from a contact record"),
    "record.refer": _("Recorded a referral"),
    "case.created": _("Created a case"),
    "case.read": _("Opened a case"),
    "case.update": _("Changed a case"),
    "case.attach": _("Opened a case to add a record"),
    "case.status": _("Changed a case's status"),
    "case.counsellor_added": _("Added a counsellor to a case"),
    "escalation.opened": _("Opened an escalation"),
    "escalation.read": _("Opened an escalation's page"),
    "escalation.acknowledged": _("Acknowledged an escalation"),
    "escalation.decided": _("Decided on an escalation"),
    "directory.exported": _("Exported the service directory"),
    "directory.imported": _("Imported services"),
    "reports.exported": _("Downloaded statistics"),
    "outreach.materials_downloaded": _("Downloaded partner materials"),
    "retention.purged": _("Deleted what the retention periods made due"),
    "audit.pruned": _("Deleted audit entries older than their retention period"),
    "escalation.callback": _("Saved a call-back number for an escalation"),
    "conversation.flagged": _("Flagged a conversation as abusive"),
    "conversation.code_blocked": _("Blocked a conversation's return code"),
    "helpline.flood_switch": _("Changed the flood protection for new chats"),
    "backup.restored": _("Restored a backup"),
    "record.debrief": _("Opened a contact record to ask for a debrief"),
    "debrief.requested": _("Asked for a debrief"),
    "debrief.done": _("Marked a debrief done"),
    "admin.added": _("Added in the administration"),
    "admin.changed": _("Changed in the administration"),
    "admin.deleted": _("Deleted in the administration"),
}


class AuditEntry(models.Model):
    """One line of the audit log; written only by ``core.audit.audit_record``.

    The actor is kept as an id and a username, not a foreign key: deleting a staff account
    must not change the rows that record what it did.
    """

    seq = models.PositiveBigIntegerField(_("number"), unique=True)
    created_at = models.DateTimeField(_("time"), db_index=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, db_index=True)
    actor_username = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("The audit log is append-only.")

    @property
    def action_label(self) -> str:
        """The action in the reader's language; unknown codes show as they are."""
        return str(AUDIT_ACTION_LABELS.get(self.action, self.action))


class AuditCheckpoint(models.Model):
    """Where the retained audit log begins after old entries were purged.

    ``through_seq`` and ``through_hash`` are the last deleted entry's number and hash: the
    first kept entry links to that hash, so ``verify_audit`` checks the chain from here. An
    ``audit.pruned`` entry in the log records the same values, so a checkpoint written by
    hand is reported. Database triggers keep this table append-only and allow deleting audit
    entries only at or below its newest row.
    """

    through_seq = models.PositiveBigIntegerField(unique=True)
    through_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-through_seq"]
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")

    def __str__(self) -> str:
        return f"#{self.through_seq}"
