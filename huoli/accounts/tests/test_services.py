import pytest

from huoli.accounts.services import AccountError, counsellor_profile_save
from huoli.core.events import staff_group
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
    assert sent[0][0] == staff_group(counsellor.pk)
    assert sent[0][1].as_payload() == {
        "type": "staff.profile_updated",
        "display_name": "Aino",
        "languages": ["fi"],
        "max_chats": 2,
    }


def test_roles_decide_admin_flags(staff_factory):
    assert staff_factory(role=Role.ADMINISTRATOR).is_superuser
    assert not staff_factory(role=Role.SUPERVISOR).is_staff
