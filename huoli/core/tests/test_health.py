"""/healthz answers a monitor without writing, without a cookie and without personal data."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from huoli.tests.ports import free_port

pytestmark = pytest.mark.django_db


def test_a_healthy_worker_answers_ok_with_one_read_and_no_cookie(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok", "cache": "ok"}
    assert [query["sql"] for query in queries.captured_queries] == ["SELECT 1"]
    assert not response.cookies
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_only_reading_methods_are_answered(client):
    assert client.post("/healthz").status_code == 405
    assert client.head("/healthz").status_code == 200


def test_a_cache_that_does_not_answer_makes_it_unavailable(client):
    # A real Redis client pointed at a port where nothing listens.
    dead = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    with override_settings(CACHES=dead):  # Django rebuilds the cache from the new settings
        response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content) == {
        "status": "unavailable",
        "database": "ok",
        "cache": "unavailable",
    }
