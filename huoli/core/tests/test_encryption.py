import pytest
from django.core.management import call_command
from django.db import connection
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from huoli.core.encryption import DecryptionError, Keyring, keyring
from huoli.core.tests.testapp.models import SecretNote  # a test-only model: no service makes it
from huoli.keys import new_data_key

pytestmark = pytest.mark.django_db


def raw_values(pk: int) -> tuple[str, str | None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT body, extra FROM core_testapp_secretnote WHERE id = %s", [pk])
        return cursor.fetchone()


def test_round_trip_and_no_plaintext_in_the_column():
    note = SecretNote.objects.create(title="t", body="Poikani puhuu vain jihadista", extra=None)
    body, extra = raw_values(note.pk)
    assert "jihad" not in body
    assert body.startswith(f"enc2:{keyring().primary_id}:")
    assert extra is None
    assert SecretNote.objects.get(pk=note.pk).body == "Poikani puhuu vain jihadista"


def test_same_text_encrypts_differently_each_time():
    first = SecretNote.objects.create(title="a", body="same")
    second = SecretNote.objects.create(title="b", body="same")
    assert raw_values(first.pk)[0] != raw_values(second.pk)[0]


def test_a_value_moved_to_another_column_does_not_decrypt():
    note = SecretNote.objects.create(title="t", body="secret", extra="other")
    body, _extra = raw_values(note.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_testapp_secretnote SET extra = %s WHERE id = %s", [body, note.pk]
        )
    with pytest.raises(DecryptionError):
        SecretNote.objects.get(pk=note.pk)


def test_a_value_moved_to_another_row_does_not_decrypt():
    """Someone with write access to the database copies one family's text over another row's
    (a note shown to another counsellor, a message into another conversation): reading
    fails clearly instead of showing the other row's text."""
    first = SecretNote.objects.create(title="a", body="Pojan nimi on Ali")
    second = SecretNote.objects.create(title="b", body="toinen")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_testapp_secretnote SET body = %s WHERE id = %s",
            [raw_values(first.pk)[0], second.pk],
        )
    with pytest.raises(DecryptionError, match="another row or column"):
        SecretNote.objects.get(pk=second.pk)
    assert SecretNote.objects.get(pk=first.pk).body == "Pojan nimi on Ali"


def test_column_bound_values_still_read_and_reencrypt_binds_them_to_their_rows():
    note = SecretNote.objects.create(title="t", body="vanha")
    old = keyring().encrypt("vanha", "core_testapp.SecretNote.body")  # as decision 0005 wrote
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_testapp_secretnote SET body = %s WHERE id = %s", [old, note.pk])
    assert old.startswith("enc1:")
    assert SecretNote.objects.get(pk=note.pk).body == "vanha"
    assert SecretNote.objects.filter(pk=note.pk).values_list("body", flat=True)[0] == "vanha"

    call_command("reencrypt", verbosity=0)
    assert raw_values(note.pk)[0].startswith("enc2:")
    assert SecretNote.objects.get(pk=note.pk).body == "vanha"


def test_a_tampered_value_does_not_decrypt():
    note = SecretNote.objects.create(title="t", body="secret")
    body, _extra = raw_values(note.pk)
    prefix, payload = body.rsplit(":", 1)
    flipped = payload[:-4] + ("AAAA" if payload[-4:] != "AAAA" else "BBBB")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_testapp_secretnote SET body = %s WHERE id = %s",
            [f"{prefix}:{flipped}", note.pk],
        )
    with pytest.raises(DecryptionError):
        SecretNote.objects.get(pk=note.pk)


def test_rotation_keeps_old_rows_readable_and_reencrypt_moves_them(settings):
    old_keys = list(settings.HUOLI_DATA_KEYS)
    old_primary = keyring().primary_id
    notes = [SecretNote.objects.create(title=str(i), body=f"note {i}", extra="x") for i in range(3)]

    settings.HUOLI_DATA_KEYS = [new_data_key(), *old_keys]
    new_primary = keyring().primary_id
    assert new_primary != old_primary
    assert [n.body for n in SecretNote.objects.order_by("pk")] == ["note 0", "note 1", "note 2"]
    assert all(raw_values(n.pk)[0].split(":")[1] == old_primary for n in notes)

    call_command("reencrypt", verbosity=0)

    for note in notes:
        body, extra = raw_values(note.pk)
        assert body.split(":")[1] == new_primary
        assert extra.split(":")[1] == new_primary
    # The old key can now be dropped: everything still reads.
    settings.HUOLI_DATA_KEYS = settings.HUOLI_DATA_KEYS[:1]
    assert [n.body for n in SecretNote.objects.order_by("pk")] == ["note 0", "note 1", "note 2"]


def test_reading_a_row_whose_key_was_removed_fails_clearly(settings):
    note = SecretNote.objects.create(title="t", body="secret")
    settings.HUOLI_DATA_KEYS = [new_data_key()]
    with pytest.raises(DecryptionError, match="no configured data key"):
        SecretNote.objects.get(pk=note.pk)


@hyp_settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=2000), context=st.text(min_size=1, max_size=40))
def test_keyring_round_trips_any_text(text, context):
    ring = Keyring.from_texts([new_data_key(), new_data_key()])
    stored = ring.encrypt(text, context)
    assert ring.decrypt(stored, context) == text
    with pytest.raises(DecryptionError):
        ring.decrypt(stored, context + "x")
    bound = ring.encrypt(text, context, row=7)
    assert ring.decrypt(bound, context, row=7) == text
    for other in (8, 70, None):
        with pytest.raises(DecryptionError):
            ring.decrypt(bound, context, row=other)


def test_reencrypt_never_writes_back_over_an_edit_made_after_its_read(settings, monkeypatch):
    """An edit committed between reencrypt's read and its write must survive: the write
    happens only where the column still holds the value that was read."""
    note = SecretNote.objects.create(title="t", body="old text", extra="x")
    settings.HUOLI_DATA_KEYS = [new_data_key(), *settings.HUOLI_DATA_KEYS]
    original_decrypt = Keyring.decrypt
    edited = []

    def decrypt_then_someone_edits(self, stored, context, *args, **kwargs):
        plain = original_decrypt(self, stored, context, *args, **kwargs)
        if not edited:  # reencrypt has read the row; a counsellor saves an edit now
            edited.append(True)
            other = SecretNote.objects.get(pk=note.pk)
            other.body = "edited text"
            other.save(update_fields=["body"])
        return plain

    monkeypatch.setattr(Keyring, "decrypt", decrypt_then_someone_edits)
    call_command("reencrypt", verbosity=0)
    monkeypatch.undo()

    assert edited
    assert SecretNote.objects.get(pk=note.pk).body == "edited text"
    assert raw_values(note.pk)[0].split(":")[1] == keyring().primary_id
