"""Administrators set the line's numbers in the admin: one for every language, others for a
language answered elsewhere (issue 19)."""

import pytest

from huoli.helpline.models import LineNumber
from huoli.helpline.selectors import line_numbers

pytestmark = pytest.mark.django_db

ADD = "/console/admin/helpline/linenumber/add/"


def test_administrators_list_and_add_the_line_numbers(client, logged_in):
    logged_in("administrator")
    LineNumber.objects.create(number="+358 800 000 000")
    listing = client.get("/console/admin/helpline/linenumber/").content.decode()
    assert "+358 800 000 000" in listing
    for column in ("column-number", "column-language", "column-order"):
        assert column in listing
    form = client.get(ADD).content.decode()
    assert '<option value="ar">العربية</option>' in form and '<option value="" selected>' in form
    added = client.post(ADD, {"number": "+358 9 123 4567", "language": "ar", "order": "0"})
    assert added.status_code == 302
    assert [n.number for n in line_numbers("ar")] == ["+358 9 123 4567"]
    assert [n.number for n in line_numbers("fi")] == ["+358 800 000 000"]


def test_a_number_without_its_country_code_or_an_unknown_language_is_refused(client, logged_in):
    logged_in("administrator")
    refused = client.post(ADD, {"number": "09 123 4567", "language": "", "order": "0"})
    assert refused.status_code == 200
    assert set(refused.context["adminform"].form.errors) == {"number"}
    refused = client.post(ADD, {"number": "+358 9 123 4567", "language": "de", "order": "0"})
    assert set(refused.context["adminform"].form.errors) == {"language"}
    assert not LineNumber.objects.exists()


def test_counsellors_do_not_edit_the_numbers(client, logged_in):
    logged_in("counsellor")
    assert client.get("/console/admin/helpline/linenumber/").status_code in (302, 403)


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("+358 800 000 000", True),
        ("+358 9 123 4567", True),
        ("+358 40 123 4567", True),
        ("+46 8 123 456 78", True),
        ("+358 09 123 4567", False),  # the national trunk 0 dials nowhere after +358
        ("+1 2 3", False),  # too short to be a number
        ("+358 40 123 4567 8901 23", False),  # more than E.164's 15 digits
        ("040 123 4567", False),  # no country code
    ],
)
def test_a_number_is_one_a_phone_can_dial_from_anywhere(number, valid):
    from django.core.exceptions import ValidationError

    from huoli.helpline.models import validate_phone_number

    if valid:
        validate_phone_number(number)
    else:
        with pytest.raises(ValidationError):
            validate_phone_number(number)
