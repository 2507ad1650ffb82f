"""Makes ``static/console/chime.wav``, the console's calm notice sound (issue 18).

Our own sound, made here from two soft sine notes, so there is no licence to keep. The
committed file is what ``python -m huoli.console.chime`` writes; a test checks they match, so
change the sound here and run it again.
"""

from __future__ import annotations

import io
import math
import struct
import wave
from pathlib import Path

PATH = Path(__file__).parent / "static" / "console" / "chime.wav"
RATE = 16_000
# Two notes a fifth apart (G4, D5), the second starting while the first fades.
NOTES = ((392.0, 0.0), (587.33, 0.22))
NOTE_SECONDS = 0.9
ATTACK_SECONDS = 0.02
PEAK = 0.35  # of full scale: soft, the volume setting lowers it further


def chime_wav() -> bytes:
    length = int(RATE * (NOTES[-1][1] + NOTE_SECONDS))
    samples = [0.0] * length
    for frequency, start in NOTES:
        first = int(RATE * start)
        for i in range(int(RATE * NOTE_SECONDS)):
            t = i / RATE
            # A short fade in, then a slow exponential fade out, to silence at the end.
            envelope = min(1.0, t / ATTACK_SECONDS) * math.exp(-4.5 * t)
            envelope *= 1.0 - t / NOTE_SECONDS
            phase = 2 * math.pi * frequency * t
            tone = math.sin(phase) + 0.15 * math.sin(2 * phase)
            samples[first + i] += envelope * tone / 1.15
    frames = b"".join(struct.pack("<h", round(PEAK * 32767 * s)) for s in samples)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(frames)
    return buffer.getvalue()


if __name__ == "__main__":
    PATH.write_bytes(chime_wav())
    print(f"wrote {PATH}")
