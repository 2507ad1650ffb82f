"""Property-based fuzzing (hypothesis) of every public form and of the websocket frames of
both sides: no response is a server error, no socket handler crashes (after any frame the
socket still answers a ping), and nothing is half-saved (a conversation starts with its
message or not at all; every conversation's messages stay numbered 1..last_seq).

``make test`` runs a modest number of examples; set ``HUOLI_FUZZ_EXAMPLES`` for a heavier
run, e.g. ``HUOLI_FUZZ_EXAMPLES=2000 .venv/bin/pytest huoli/tests/test_fuzz.py``.
"""

from __future__ import annotations

import json
import os

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.core.cache import cache
from django.db.models import Count, Max
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from huoli.console.tests.test_consumers import communicator, staff_session
from huoli.conversations.models import Conversation, Message
from huoli.conversations.services.queue import conversation_take, duty_set
from huoli.conversations.services.start import conversation_start
from huoli.conversations.tests.factories import chat_start, open_line_with_counsellor
from huoli.core.roles import Role
from huoli.public.tests.test_consumers import visitor_socket

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES = int(os.environ.get("HUOLI_FUZZ_EXAMPLES", "40"))
fuzz = hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("HUOLI_FUZZ_EXAMPLES"),  # CI repeats the same examples
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text as a browser can send it (no lone surrogates), with markup, controls and long runs.
texts = st.one_of(
    st.text(st.characters(exclude_categories=["Cs"]), max_size=200),
    st.sampled_from(["", " ", "<script>alert(1)</script>", "\x00", "' OR 1=1 --", "🙂" * 50]),
    st.text(alphabet="0123456789 -", max_size=40),
    st.just("x" * 5000),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    texts,
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=8,
)


def form_data(fields: list[str]):
    """Each known field absent, empty or any text, plus a stray field now and then."""
    known = st.fixed_dictionaries({}, optional={name: texts for name in fields})
    return st.tuples(known, st.dictionaries(texts, texts, max_size=2)).map(
        lambda both: {**both[1], **both[0]}
    )


def messages_consistent() -> None:
    """Every conversation's messages are numbered 1..last_seq, without gaps or repeats."""
    for conversation in Conversation.objects.annotate(
        count=Count("messages"), top=Max("messages__seq")
    ):
        assert conversation.count == conversation.last_seq == (conversation.top or 0)


@pytest.fixture
def line_open(db):
    open_line_with_counsellor()


@pytest.fixture
def visitor_client(client):
    """A client with a conversation of its own (the visitor cookie set)."""
    response = client.post(
        "/en/message/", {"body": "Alku", "client_id": "c0", "language": "fi", "nickname": ""}
    )
    assert response.status_code == 302
    return client


@fuzz
@given(data=form_data(["language", "nickname", "pow_challenge", "pow_nonce", "ticket"]))
def test_starting_a_chat(client, line_open, data):
    before = Conversation.objects.count()
    response = client.post("/en/chat/start/", data)
    assert response.status_code < 500
    assert Conversation.objects.count() == before + (response.status_code == 302)
    messages_consistent()


@fuzz
@given(data=form_data(["body", "client_id", "language", "nickname"]))
def test_leaving_a_message(client, data):
    conversations, messages = Conversation.objects.count(), Message.objects.count()
    response = client.post("/en/message/", data)
    assert response.status_code < 500
    started = response.status_code == 302
    assert Conversation.objects.count() == conversations + started
    assert Message.objects.count() == messages + started  # with its message, or nothing
    client.cookies.clear()


@fuzz
@given(data=form_data(["body", "client_id"]))
def test_writing_in_a_conversation(visitor_client, data):
    before = Message.objects.count()
    response = visitor_client.post("/en/conversation/send/", data)
    assert response.status_code < 500
    assert Message.objects.count() - before in ((0, 1) if response.status_code == 302 else (0,))
    messages_consistent()


@fuzz
@given(data=form_data(["answer"]), end=form_data(["x"]))
def test_feedback_and_ending(visitor_client, data, end):
    assert visitor_client.post("/en/conversation/feedback/", data).status_code < 500
    assert visitor_client.post("/en/conversation/end/", end).status_code < 500


@fuzz
@given(data=form_data(["code"]))
def test_returning_with_a_code(client, data):
    cache.clear()  # the guessing limit is tested on its own (test_return_code_guessing)
    response = client.post("/en/return/", data)
    assert response.status_code < 500


@fuzz
@given(query=form_data(["q", "category", "municipality", "language", "anonymous", "page"]))
def test_searching_services_and_reading_pages(client, query):
    assert client.get("/en/services/", query).status_code < 500
    assert client.get("/en/", query).status_code < 500
    assert client.get("/en/message/", query).status_code < 500


# --- websocket frames ---------------------------------------------------------------------

frame_types = st.sampled_from(
    ["message", "hello", "typing", "end", "ping", "watch", "seen", "", "MESSAGE", "x" * 300]
)
frames = st.one_of(
    texts,  # not JSON, or JSON that is not an object
    json_values.map(json.dumps),
    st.fixed_dictionaries(
        {"type": frame_types},
        optional={
            "client_id": json_values,
            "body": json_values,
            "last_seq": json_values,
            "seq": json_values,
            "conversation_id": json_values,
        },
    ).map(json.dumps),
)


async def still_answers(socket: WebsocketCommunicator) -> list[dict]:
    """Everything the socket sent until it answers a ping (a crashed handler never does)."""
    await socket.send_to(text_data=json.dumps({"type": "ping"}))
    replies = []
    while True:
        output = await socket.receive_output(timeout=5)
        assert output["type"] == "websocket.send", output  # not closed by a crash
        reply = json.loads(output["text"])
        if reply["type"] == "pong":
            return replies
        replies.append(reply)


@fuzz
@given(sequence=st.lists(frames, min_size=1, max_size=4))
def test_visitor_frames(sequence):
    # A written message (a chat would fill the queue over many examples).
    access = conversation_start(kind="message", language="fi", first_message="Alku")

    async def run():
        socket = visitor_socket(access.token)
        connected, _code = await socket.connect(timeout=10)
        assert connected
        for text in sequence:
            await socket.send_input({"type": "websocket.receive", "text": text})
            await still_answers(socket)
        await socket.disconnect()

    async_to_sync(run)()
    messages_consistent()


@pytest.fixture
def counsellor_with_chats():
    """A counsellor's session with a chat of their own, and another counsellor's chat."""
    user, session_key = async_to_sync(staff_session)(role=Role.COUNSELLOR)
    duty_set(user=user, on_duty=True)
    own = chat_start(language="fi").conversation
    conversation_take(counsellor=user, conversation_id=own.pk)
    other_user, _key = async_to_sync(staff_session)(role=Role.COUNSELLOR)
    duty_set(user=other_user, on_duty=True)
    others = chat_start(language="fi").conversation
    conversation_take(counsellor=other_user, conversation_id=others.pk)
    return session_key, own.pk, others.pk


@fuzz
@given(
    sequence=st.lists(
        st.one_of(
            frames,
            st.builds(
                lambda kind, which, extra: json.dumps(
                    {"type": kind, "conversation_id": which, **extra}
                ),
                st.sampled_from(["watch", "message", "typing", "seen"]),
                st.sampled_from(["own", "others", 0, -1, 2**63]),
                st.fixed_dictionaries(
                    {}, optional={"client_id": texts, "body": texts, "seq": json_values}
                ),
            ),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_staff_frames_and_no_way_into_another_counsellors_chat(counsellor_with_chats, sequence):
    session_key, own, others = counsellor_with_chats
    ids = {'"own"': str(own), '"others"': str(others)}

    async def run():
        socket = communicator(session_key, path="/console/ws/?page=conversation")
        connected, _code = await socket.connect(timeout=10)
        assert connected
        for text in sequence:
            for placeholder, value in ids.items():
                text = text.replace(
                    f'"conversation_id": {placeholder}', f'"conversation_id": {value}'
                )
            await socket.send_input({"type": "websocket.receive", "text": text})
            for reply in await still_answers(socket):
                # Nothing of the other counsellor's chat ever reaches this socket.
                assert reply.get("conversation_id") != others, reply
                assert reply["type"] not in ("ack", "conversation.message") or (
                    reply.get("conversation_id", own) == own
                )
        await socket.disconnect()

    async_to_sync(run)()
    assert not Message.objects.filter(conversation_id=others).exists()
    messages_consistent()
