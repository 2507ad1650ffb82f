"""``bench/chat_load.py --trace``: the stages of a message's path, noted by a real server
process (and its writer process) with ``bench/path_trace/sitecustomize.py`` on its path.

The tracer wraps functions of Huoli by name: one renamed or moved would leave its stage
empty, and the bench would print a table of zeros as if a stage cost nothing. So this test
sends a message through a traced server, with the database thread and with the writer
process, and checks every stage was noted for it, in order."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time

import pytest

from huoli.conversations.tests.test_two_processes import receive_type
from huoli.conversations.tests.test_writer_process import (
    a_watched_chat,
    answer_to,
    send_message,
    visitor_socket,
)
from huoli.tests.asgi_process import ROOT, AsgiProcess

pytestmark = pytest.mark.django_db(transaction=True)

BENCH = ROOT / "bench"


@pytest.fixture
def chat_load():
    sys.path.insert(0, str(BENCH))  # chat_load imports its neighbour ``processes``
    try:
        import chat_load

        yield chat_load
    finally:
        sys.path.remove(str(BENCH))


@pytest.mark.parametrize("writer_process", ["0", "1"])
async def test_a_traced_server_notes_every_stage_of_a_message_in_order(
    chat_load, writer_process, tmp_path
):
    path = os.pathsep.join(filter(None, [str(chat_load.TRACER), os.environ.get("PYTHONPATH")]))
    server = AsgiProcess(
        HUOLI_WRITER_PROCESS=writer_process, HUOLI_TRACE_DIR=str(tmp_path), PYTHONPATH=path
    )
    server.start()
    try:
        async with (
            a_watched_chat(server) as (staff, access, _session_key),
            visitor_socket(server, access.token) as visitor,
        ):
            await receive_type(visitor, "state")
            sent = time.perf_counter()
            await send_message(visitor, "traced", body=json.dumps({"t": sent}))
            assert (await answer_to(visitor, "traced"))["type"] == "ack"
            await receive_type(staff, "conversation.message", client_id="traced")
    finally:
        server.stop()  # SIGTERM: the server writes its notes as it ends
        print(server.output())
    # The writer process writes its notes when its input closes, as its server ends.
    await asyncio.to_thread(chat_load.traced_processes_ended, str(tmp_path))
    trace = chat_load.read_trace(str(tmp_path), since=sent)
    for _start, _end, what in chat_load.TRACE_STAGES:
        assert len(trace["stages"][what]) == 1, what
        assert trace["stages"][what][0] >= 0, what
    (total,) = trace["total"]
    assert total == pytest.approx(sum(values[0] for values in trace["stages"].values()))
    assert trace["batches"] == [1]
    assert len(trace["answer"]) == 1 and len(trace["ack"]) == 1
    # The transaction's notes come from where the batch was stored: the writer process's own
    # file beside the server's, or the server's.
    files = list(tmp_path.glob("*.tsv"))
    assert len(files) == (2 if writer_process == "1" else 1), files
