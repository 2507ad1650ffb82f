"""Encrypted backup and restore: everything comes back (text readable, return codes working,
the audit chain intact), nothing in the file is readable without the passphrase, and a wrong
passphrase or a changed, cut or extended file is refused before the database is touched."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings

from huoli import keys
from huoli.accounts.tests.factories import StaffFactory
from huoli.contacts.models import ContactRecord
from huoli.conversations.models import Conversation, Message
from huoli.conversations.services.start import conversation_resume, conversation_start
from huoli.conversations.tests.factories import chat_taken
from huoli.core.audit import audit_record, audit_verify
from huoli.core.backup import (
    BackupError,
    backup_kdf_params,
    backup_read,
    backup_write,
    restore,
)
from huoli.core.models import AuditEntry
from huoli.core.roles import Role

pytestmark = pytest.mark.django_db(transaction=True)
PASSPHRASE = "korppi ikkuna sininen kahvi"


@pytest.fixture
def helpline_data():
    counsellor = StaffFactory(role=Role.COUNSELLOR, username="aino")
    access = chat_taken(
        counsellor=counsellor, nickname="Äiti", messages=[("visitor", "Poikani uusi ryhmä")]
    )
    record = ContactRecord.objects.get(conversation=access.conversation)
    record.summary = "Äiti huolissaan pojasta"
    record.save()
    for _ in range(3):
        audit_record(actor=counsellor, action="record.read", object_id=record.pk)
    return access


def test_a_restore_brings_everything_back_under_the_backups_keys(helpline_data, tmp_path):
    path = tmp_path / "huoli.backup"
    summary = backup_write(path, PASSPHRASE)
    assert summary.counts["conversations.Message"] == 1 and path.stat().st_mode & 0o077 == 0
    raw = path.read_bytes()
    for secret in (b"Poikani", "Äiti".encode(), settings.HUOLI_DATA_KEYS[0].encode()):
        assert secret not in raw
    audit_before = list(AuditEntry.objects.order_by("seq").values_list("hash", "created_at"))
    assert any(created.microsecond % 1000 for _hash, created in audit_before)

    # After the backup: more happens, which the restore takes away.
    conversation_start(kind="message", language="fi", first_message="Myöhemmin kirjoitettu")
    original_keys = list(settings.HUOLI_DATA_KEYS)
    other_machine = {
        "HUOLI_DATA_KEYS": [keys.new_data_key()],
        "HUOLI_RETURN_CODE_PEPPER": "another machine's pepper",
    }
    with override_settings(**other_machine):
        result = restore(path, PASSPHRASE, keys_dir=tmp_path / "var")
    assert result.audit_ok
    assert (tmp_path / "var" / "data_keys").read_text().split() == original_keys

    assert [m.body for m in Message.objects.all()] == ["Poikani uusi ryhmä"]
    assert Conversation.objects.get().nickname == "Äiti"
    assert ContactRecord.objects.get().summary == "Äiti huolissaan pojasta"
    assert conversation_resume(code=helpline_data.return_code).conversation.nickname == "Äiti"
    restored = list(AuditEntry.objects.order_by("seq").values_list("hash", "created_at"))
    assert restored[: len(audit_before)] == audit_before  # to the microsecond
    assert AuditEntry.objects.order_by("-seq").first().action == "backup.restored"
    assert audit_verify().ok
    # Sequences were reset: new rows do not collide with restored ones.
    conversation_start(kind="message", language="fi", first_message="Uusi")
    assert Conversation.objects.count() == 2


def test_a_wrong_passphrase_or_a_damaged_file_is_refused_and_nothing_changes(
    helpline_data, tmp_path
):
    path = tmp_path / "huoli.backup"
    backup_write(path, PASSPHRASE)
    good = path.read_bytes()
    with pytest.raises(BackupError, match="passphrase is wrong"):
        backup_read(path, "wrong passphrase here")
    damaged = {
        "changed": good[:200] + bytes([good[200] ^ 1]) + good[201:],
        "cut short": good[:-10],
        "extended": good + b"more",
        "not a backup": b"PK\x03\x04" + good[4:],
    }
    for name, content in damaged.items():
        broken = tmp_path / name
        broken.write_bytes(content)
        with pytest.raises(BackupError):
            restore(broken, PASSPHRASE, keys_dir=tmp_path / "var")
    assert Message.objects.count() == 1 and not (tmp_path / "var").exists()


def test_a_short_passphrase_is_refused(tmp_path):
    with pytest.raises(BackupError, match="at least 12 characters"):
        backup_write(tmp_path / "b", "short")


def test_the_commands_back_up_check_and_restore(helpline_data, tmp_path):
    passphrase_file = tmp_path / "passphrase"
    passphrase_file.write_text(PASSPHRASE + "\n")
    path = tmp_path / "b.backup"
    out = StringIO()
    call_command("backup", output=str(path), passphrase_file=str(passphrase_file), stdout=out)
    assert "encrypted" in out.getvalue()
    out = StringIO()
    call_command("restore", str(path), "--check", passphrase_file=str(passphrase_file), stdout=out)
    assert "The backup is intact" in out.getvalue()
    Message.objects.all().delete()
    out = StringIO()
    call_command(
        "restore",
        str(path),
        "--yes",
        passphrase_file=str(passphrase_file),
        keys_dir=str(tmp_path / "var"),
        stdout=out,
    )
    assert "Restored" in out.getvalue() and Message.objects.count() == 1
    wrong = tmp_path / "wrong"
    wrong.write_text("not the passphrase at all")
    with pytest.raises(CommandError, match="passphrase is wrong"):
        call_command("restore", str(path), "--check", passphrase_file=str(wrong))


def test_a_backup_of_another_schema_is_refused(helpline_data, tmp_path):
    """A file as an older or newer Huoli would write it: same format, other migrations."""
    import gzip
    import json

    from huoli.core.backup import _EncryptingWriter

    path = tmp_path / "b.backup"
    backup_write(path, PASSPHRASE)
    manifest, data = backup_read(path, PASSPHRASE)
    manifest["migrations"]["core"] = "9999_future"
    with open(path, "wb") as out, _EncryptingWriter(out, PASSPHRASE) as writer:
        writer.write(gzip.compress((json.dumps(manifest) + "\n" + data).encode()))
    with pytest.raises(BackupError, match=r"another database schema \(apps: core\)"):
        restore(Path(path), PASSPHRASE, keys_dir=tmp_path / "var")
    assert Message.objects.count() == 1


def test_a_new_backup_derives_its_key_as_owasp_advises_and_an_old_one_still_restores(
    helpline_data, tmp_path
):
    """OWASP Password Storage Cheat Sheet: scrypt with N >= 2^17, r >= 8, p >= 1. The
    parameters are in the header (authenticated by every chunk); a version 1 file, written
    with n=2^15 and no parameters in its header, still restores."""
    new = tmp_path / "new.backup"
    backup_write(new, PASSPHRASE)
    log2_n, r, p = backup_kdf_params(new)
    assert (1 << log2_n) >= 1 << 17 and r >= 8 and p >= 1

    old = tmp_path / "old.backup"
    backup_write(old, PASSPHRASE, kdf=(15, 8, 1))
    assert old.read_bytes().startswith(b"HUOLI-BACKUP-1\n")
    assert backup_kdf_params(old) == (15, 8, 1)
    Message.objects.all().delete()
    assert restore(old, PASSPHRASE, keys_dir=tmp_path / "var").audit_ok
    assert [m.body for m in Message.objects.all()] == ["Poikani uusi ryhmä"]

    # Weaker parameters written into a new file's header are refused, not tried.
    weakened = tmp_path / "weakened.backup"
    raw = new.read_bytes()
    weakened.write_bytes(raw[:15] + bytes([10]) + raw[16:])
    with pytest.raises(BackupError, match="out of bounds"):
        backup_read(weakened, PASSPHRASE)
    # Each parameter in bounds but together over 1 GiB of memory (N=2^20, r=16: 2 GiB):
    # refused before any key is derived.
    costly = tmp_path / "costly.backup"
    costly.write_bytes(raw[:15] + bytes([20, 16, 1]) + raw[18:])
    with pytest.raises(BackupError, match="out of bounds"):
        backup_read(costly, PASSPHRASE)
