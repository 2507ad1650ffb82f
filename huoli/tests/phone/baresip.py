"""A SIP phone for tests: baresip (Debian ``baresip-core``) in its own config folder.

It sends a WAV file as its microphone (``aufile``) and records what it hears (``sndfile``:
``*-dec.wav`` in ``snd_path``), on 127.0.0.1 only. ``tone_seconds`` tells, second by second,
whether a recording holds a given tone (Goertzel), so a test can check audio both ways.
"""

from __future__ import annotations

import math
import shutil
import struct
import subprocess
import time
import wave
from dataclasses import dataclass
from pathlib import Path

from huoli.tests.ports import free_port

MODULE_PATH = "/usr/lib/baresip/modules"


def baresip_missing() -> bool:
    return shutil.which("baresip") is None


def write_tone(path, frequency: float, seconds: float = 30, rate: int = 8000) -> Path:
    """A mono 16-bit sine WAV (8 kHz by default: baresip's aufile sends it as PCMU)."""
    path = Path(path)
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * frequency * i / rate)))
        for i in range(int(rate * seconds))
    )
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return path


def goertzel(samples, rate: int, frequency: float) -> float:
    """Power of one frequency in ``samples``, normalised by their length."""
    k = 2 * math.cos(2 * math.pi * frequency / rate)
    s1 = s2 = 0.0
    for x in samples:
        s1, s2 = x + k * s1 - s2, s1
    return (s1 * s1 + s2 * s2 - k * s1 * s2) / max(1, len(samples)) ** 2


def read_wav(path) -> tuple[list[int], int]:
    with wave.open(str(path)) as handle:
        rate = handle.getframerate()
        data = handle.readframes(handle.getnframes())
        channels = handle.getnchannels()
    samples = list(struct.unpack(f"<{len(data) // 2}h", data))[::channels]
    return samples, rate


def tone_seconds(path, frequency: float, *, ratio: float = 0.3) -> list[bool]:
    """For each whole second of the recording: does ``frequency`` carry at least ``ratio`` of
    its energy? (A pure tone of amplitude A gives a Goertzel power of A²/4 and a mean square
    of A²/2, so a clean tone scores 0.5.)"""
    samples, rate = read_wav(path)
    result = []
    for start in range(0, len(samples) - rate + 1, rate):
        chunk = samples[start : start + rate]
        mean_square = sum(x * x for x in chunk) / len(chunk)
        power = goertzel(chunk, rate, frequency)
        result.append(mean_square > 1000 and power / mean_square >= ratio)
    return result


@dataclass
class Baresip:
    """One baresip in ``folder``: ``account`` is its SIP address line (baresip's accounts
    syntax), ``source`` the WAV it sends, ``host`` the loopback address it uses (another one
    than 127.0.0.1 lets a test look for it)."""

    folder: Path
    account: str
    source: Path
    host: str = "127.0.0.1"
    port: int = 0
    process: subprocess.Popen | None = None

    def __post_init__(self):
        self.port = self.port or free_port(count=2, host=self.host)
        self.folder = Path(self.folder)
        self.recordings = self.folder / "recordings"
        self.recordings.mkdir(parents=True, exist_ok=True)
        (self.folder / "accounts").write_text(self.account + "\n")
        (self.folder / "config").write_text(
            f"sip_listen {self.host}:{self.port}\n"
            f"net_interface {self.host}\n"
            f"audio_source aufile,{self.source}\n"
            "audio_player aufile,/dev/null\n"
            "audio_alert aufile,/dev/null\n"
            f"module_path {MODULE_PATH}\n"
            "module g711.so\nmodule aufile.so\nmodule sndfile.so\n"
            "module account.so\nmodule menu.so\n"
            f"snd_path {self.recordings}\n"
            "answermode auto\n"
        )

    def start(self, *, seconds: int, dial: str | None = None, trace: bool = False) -> Baresip:
        """Run for ``seconds`` (dialling ``dial``); ``trace`` writes every SIP message it
        sends and receives into its log."""
        args = ["baresip", "-f", str(self.folder), "-t", str(seconds)]
        if trace:
            args.append("-s")
        if dial:
            args += ["-e", f"/dial {dial}"]
        self.output = self.folder / "baresip.out"
        with open(self.output, "wb") as out:
            self.process = subprocess.Popen(
                args, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
            )
        return self

    def wait(self, timeout: float) -> int:
        assert self.process is not None
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def heard(self) -> Path | None:
        """The recording of what this phone heard (the latest one)."""
        files = sorted(self.recordings.glob("*-dec.wav"))
        return files[-1] if files else None

    def heard_once_closed(self, timeout: float = 15) -> Path | None:
        """``heard()`` as a whole WAV file, once the call is over: libsndfile writes the WAV
        header only when it closes the file, which baresip may leave until it quits. Waits
        for the hang-up to reach baresip (a moment after the other side shows it), then lets
        baresip quit (SIGTERM: it closes its files) and returns the recording."""
        deadline = time.monotonic() + timeout
        while not any(word in self.log().lower() for word in ("terminated", "closed")):
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
        self.stop()
        return self.heard()

    def log(self) -> str:
        return self.output.read_text(errors="replace") if self.output.exists() else ""
