"""The writer process: stores the batches its server sends it (``writer.WriterProcess``).

Run by the server as ``python -m huoli.conversations.writer_process``, with the server's
environment (its settings, database and keys). It reads each batch from its standard input
and writes the answer to its standard output, both length-prefixed pickles; nothing else is
written there (what it prints or logs goes to the server's standard error). It ends when its
input closes: when the server ends, however it ends.
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import sys
from typing import BinaryIO

logger = logging.getLogger("huoli.conversations.writer")


def _read_exactly(stream: BinaryIO, size: int) -> bytes | None:
    # A buffered stream's read returns fewer bytes only at its end.
    data = stream.read(size)
    return data if len(data) == size else None


def main() -> None:
    # Ctrl-C in `make run` reaches the whole process group, and systemd's stop the whole
    # unit: the server finishes its sockets first, while this process still stores their
    # messages, and it ends when its input closes, after the batch it is storing.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    # Our standard output carries answers only: anything else printed goes to stderr.
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    batches = sys.stdin.buffer

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huoli.settings")
    import django

    django.setup()

    from huoli.conversations.writer import _store_on_open_connection, frame
    from huoli.core import events
    from huoli.core.interpreter import settle_for_serving

    settle_for_serving()
    while True:
        header = _read_exactly(batches, 4)
        if header is None:
            return
        body = _read_exactly(batches, int.from_bytes(header, "big"))
        if body is None:
            return
        batch = pickle.loads(body)  # noqa: S301 (from our own server, over a private pipe)
        try:
            with events.collected() as sends:
                results = _store_on_open_connection(batch)
            answer = ("stored", results, sends)
        except Exception as error:
            # The batch fails in the server as it would have in its database thread.
            answer = ("failed", _picklable(error), [])
        payload = pickle.dumps(answer, pickle.HIGHEST_PROTOCOL)
        answers.write(frame(payload))
        answers.flush()


def _picklable(error: Exception) -> Exception:
    try:
        pickle.loads(pickle.dumps(error))  # noqa: S301 (our own object)
    except Exception:
        logger.exception("a batch failed with an error that cannot be sent back")
        return RuntimeError(f"the writer process failed: {type(error).__name__}")
    return error


if __name__ == "__main__":
    main()
