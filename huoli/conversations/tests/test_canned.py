"""Canned responses have a text per visitor language; the counsellor gets the visitor's
first. Administrators write them in the admin (no service makes them), so tests write the
rows as the admin does."""

import pytest
from django.db import IntegrityError, transaction

from huoli.conversations.models import CannedResponse, CannedText
from huoli.conversations.selectors import canned_responses_for

pytestmark = pytest.mark.django_db


def canned(title: str, order: int = 0, active: bool = True, **texts: str) -> CannedResponse:
    response = CannedResponse.objects.create(title=title, order=order, active=active)
    for language, text in texts.items():
        CannedText.objects.create(response=response, language=language, text=text)
    return response


def test_the_visitor_language_comes_first_then_english_then_the_spoken_languages_order():
    canned("Greeting", ar="مرحبا", en="Hello", fi="Hei", sv="Hej", so="Salaan")
    [choice] = canned_responses_for("ar")
    assert [t.language for t in choice.texts] == ["ar", "en", "fi", "sv", "so"]
    assert choice.in_language
    [choice] = canned_responses_for("sv")
    assert [t.language for t in choice.texts] == ["sv", "en", "fi", "ar", "so"]


def test_a_response_without_the_visitor_language_is_offered_and_marked():
    canned("Closing", fi="Kiitos", en="Thank you")
    [choice] = canned_responses_for("so")
    assert not choice.in_language
    assert [t.language for t in choice.texts] == ["en", "fi"]
    canned("Finnish only", fi="Vain suomeksi")
    assert [t.language for t in canned_responses_for("so")[1].texts] == ["fi"]


def test_only_responses_in_use_with_a_text_are_offered_in_their_order():
    canned("B", order=2, fi="b")
    canned("A", order=1, fi="a")
    canned("Old", order=0, active=False, fi="old")
    canned("Empty", order=0)
    assert [c.response.title for c in canned_responses_for("fi")] == ["A", "B"]


def test_two_queries_whatever_the_number_of_responses(django_assert_num_queries):
    for n in range(5):
        canned(f"R{n}", fi=f"fi {n}", en=f"en {n}", ar=f"ar {n}")
    with django_assert_num_queries(2):
        choices = canned_responses_for("ar")
        assert all(choice.texts[0].language == "ar" for choice in choices)


def test_one_text_per_language_per_response():
    response = canned("Greeting", fi="Hei")
    with pytest.raises(IntegrityError), transaction.atomic():
        CannedText.objects.create(response=response, language="fi", text="Moi")
