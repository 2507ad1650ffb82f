"""Counting campaign codes: only an active campaign's code counts, in its Helsinki month, and
concurrent starts lose no count (an ``UPDATE … count + 1``, and an insert that a concurrent
one may win)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from huoli.helpline.selectors import HELSINKI
from huoli.outreach.models import Campaign, CampaignCount
from huoli.outreach.selectors import campaign_counts
from huoli.outreach.services import campaign_count, campaign_month

MARCH_END = dt.datetime(2027, 3, 31, 23, 59, tzinfo=HELSINKI)


@pytest.mark.django_db
def test_only_an_active_campaigns_well_formed_code_counts():
    Campaign.objects.create(code="koulu", name="Schools")
    Campaign.objects.create(code="vanha", name="Old", active=False)
    assert campaign_count(code="koulu", when=MARCH_END) is True
    assert campaign_count(code="koulu", when=MARCH_END) is True
    for code in ("vanha", "tuntematon", "KOULU", " koulu", "", "koulu\n", None, 7):
        assert campaign_count(code=code, when=MARCH_END) is False, code
    assert list(CampaignCount.objects.values_list("campaign__code", "month", "count")) == [
        ("koulu", dt.date(2027, 3, 1), 2)
    ]


def test_the_month_is_the_helsinki_month():
    # 23:59 on 31 March in Helsinki is 20:59 UTC; 00:30 on 1 April there is still March in UTC.
    assert campaign_month(MARCH_END) == dt.date(2027, 3, 1)
    april = dt.datetime(2027, 4, 1, 0, 30, tzinfo=HELSINKI)
    assert april.astimezone(dt.UTC).month == 3
    assert campaign_month(april) == dt.date(2027, 4, 1)


@pytest.mark.django_db
def test_every_campaign_is_listed_with_the_sum_of_the_months_asked():
    koulu = Campaign.objects.create(code="koulu", name="Schools")
    Campaign.objects.create(code="moskeija", name="Mosques", active=False)
    for month, count in ((1, 3), (2, 4), (3, 5)):
        CampaignCount.objects.create(campaign=koulu, month=dt.date(2027, month, 1), count=count)
    rows = [(c.code, n) for c, n in campaign_counts(dt.date(2027, 2, 1), dt.date(2027, 3, 1))]
    assert rows == [("koulu", 9), ("moskeija", 0)]
    assert [n for _c, n in campaign_counts(None, None)] == [0, 0]


@pytest.mark.django_db(transaction=True)
def test_concurrent_starts_lose_no_count():
    """Eight threads, each with its own database connection, count at once from a month
    without a row: on PostgreSQL they race to insert it (one wins, the others update)."""
    Campaign.objects.create(code="koulu", name="Schools")
    threads, rounds = 8, 10
    barrier = threading.Barrier(threads)
    errors = []

    def starts():
        try:
            barrier.wait()
            for _n in range(rounds):
                assert campaign_count(code="koulu", when=MARCH_END)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=starts) for _t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert CampaignCount.objects.get().count == threads * rounds
