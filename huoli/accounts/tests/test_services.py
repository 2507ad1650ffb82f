import pytest

from huoli.accounts.services import AccountError, counsellor_profile_save
from huoli.core.events import alerts_group
from huoli.core.roles import Role

pytestmark = pytest.mark.django_db


def test_profile_save_keeps_known_languages_in_a_stable_order(counsellor):
    profile = counsellor_profile_save(
        user=counsellor, display_name=" Aino ", languages=["ar", "fi"], max_chats=3
    )
    assert (profile.display_name, profile.languages, profile.max_chats) == ("Aino", ["fi", "ar"], 3)


@pytest.mark.parametrize(
    ("display_name", "languages", "max_chats"),
    [("", ["fi"], 2), ("Aino", ["xx"], 2), ("Aino", ["fi"], 0), ("Aino", ["fi"], 7)],
)
def test_profile_save_refuses_bad_input(counsellor, display_name, languages, max_chats):
    with pytest.raises(AccountError):
        counsellor_profile_save(
            user=counsellor, display_name=display_name, languages=languages, max_chats=max_chats
        )


def test_profile_save_publishes_one_event_after_commit(
    counsellor, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(
        "huoli.core.events.publish", lambda group, event: sent.append((group, event))
    )
    with django_capture_on_commit_callbacks(execute=True):
        counsellor_profile_save(user=counsellor, display_name="Aino", languages=["fi"], max_chats=2)
    assert len(sent) == 1
    # Every console page of theirs: the conversation pages too.
    assert sent[0][0] == alerts_group(counsellor.pk)
    assert sent[0][1].as_payload() == {
        "type": "staff.profile_updated",
        "display_name": "Aino",
        "languages": ["fi"],
        "max_chats": 2,
        "notify_sound": True,
        "notify_volume": 60,
        "notify_desktop": False,
    }


def test_profile_save_keeps_or_changes_the_notice_settings(counsellor):
    save = dict(user=counsellor, display_name="Aino", languages=["fi"], max_chats=2)
    counsellor_profile_save(**save, notify_sound=False, notify_volume=0, notify_desktop=True)
    profile = counsellor_profile_save(**save)  # None keeps what was chosen
    chosen = (profile.notify_sound, profile.notify_volume, profile.notify_desktop)
    assert chosen == (False, 0, True)
    profile = counsellor_profile_save(**save, notify_sound=True, notify_volume=100)
    chosen = (profile.notify_sound, profile.notify_volume, profile.notify_desktop)
    assert chosen == (True, 100, True)


@pytest.mark.parametrize("volume", [-1, 101, 5000])
def test_profile_save_refuses_a_volume_out_of_range(counsellor, volume):
    with pytest.raises(AccountError):
        counsellor_profile_save(
            user=counsellor,
            display_name="Aino",
            languages=["fi"],
            max_chats=2,
            notify_volume=volume,
        )


def test_roles_decide_admin_flags(staff_factory):
    assert staff_factory(role=Role.ADMINISTRATOR).is_superuser
    assert not staff_factory(role=Role.SUPERVISOR).is_staff
