"""Parsing and pacing of incoming websocket frames, shared by every consumer (promise 7,
docs/design.md)."""

from __future__ import annotations

import json
import time

MAX_FRAME_CHARS = 16_000


class FrameError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def parse_frame(text_data: str | None) -> dict:
    """A JSON object with a string ``type``, or FrameError("frame_invalid").

    A frame over ``MAX_FRAME_CHARS`` is refused before it is parsed; one nested too deep
    for the parser (``[[[[…`` within the cap raises RecursionError) is refused like any
    other bad frame instead of dropping the socket (issue 13, point 9)."""
    if text_data is None or len(text_data) > MAX_FRAME_CHARS:
        raise FrameError("frame_invalid")
    try:
        frame = json.loads(text_data)
    except (ValueError, RecursionError) as error:
        raise FrameError("frame_invalid") from error
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise FrameError("frame_invalid")
    return frame


def int_field(frame: dict, name: str, default: int | None = None) -> int:
    value = frame.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise FrameError("frame_invalid")
    return value


def str_field(frame: dict, name: str) -> str:
    value = frame.get(name)
    if not isinstance(value, str):
        raise FrameError("frame_invalid")
    return value


class FrameRate:
    """A token bucket per socket: ``rate`` frames a second, bursts up to ``burst``."""

    def __init__(self, rate: float = 10.0, burst: int = 20):
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.stamp = time.monotonic()

    def allow(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True
