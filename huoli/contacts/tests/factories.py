"""Contact records for tests, built through the services. A chat's record is made when a
counsellor takes the chat (``huoli.conversations.tests.factories.chat_taken``)."""

from __future__ import annotations

import factory

from huoli.accounts.tests.factories import StaffFactory
from huoli.contacts.models import ContactRecord
from huoli.escalations.services import contact_record_save


class PhoneCallFactory(factory.Factory):
    """A phone call logged as the console's "Log a call" page logs it: a new phone record
    saved through ``contact_record_save`` by its counsellor. Any other keyword is a field of
    the record (``summary``, ``risk_level``, ``started_at``…)."""

    class Meta:
        model = dict

    counsellor = factory.SubFactory(StaffFactory)
    concerns = factory.LazyFunction(list)
    actions = factory.LazyFunction(list)

    @classmethod
    def _create(cls, model_class, *, counsellor, concerns, actions, **fields):
        record = ContactRecord(channel=ContactRecord.Channel.PHONE, counsellor=counsellor)
        record, _escalation = contact_record_save(
            record=record, by=counsellor, fields=fields, concerns=concerns, actions=actions
        )
        return record

    @classmethod
    def _build(cls, model_class, **kwargs):
        raise NotImplementedError("records are always saved through the service")
