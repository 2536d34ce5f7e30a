"""Property test: damaged sample files never crash the reader.

Random damage is applied to the authored samples in data/samples/ (truncation at a random point,
shuffled lines, dropped table cells, junk bytes, re-encoding in a wrong encoding, truncated or
bit-flipped binary files). `read_report` must either return a Report or raise
`inference.errors.ReportError` -- never any other exception.
"""
from __future__ import annotations

import json
import os
import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inference.errors import ReportError
from inference.pipeline import read_report
from inference.report import Report

SAMPLES_DIR = Path(__file__).resolve().parents[1] / "data" / "samples"
EXPECTED = json.loads((SAMPLES_DIR / "expected.json").read_text(encoding="utf-8"))["samples"]
NAMES = sorted(EXPECTED)
TEXT_NAMES = [n for n in NAMES if EXPECTED[n]["kind"] in ("txt", "html")]
BINARY_NAMES = [n for n in NAMES if EXPECTED[n]["kind"] in ("docx", "pdf")]
BYTES = {n: (SAMPLES_DIR / n).read_bytes() for n in NAMES}

SETTINGS = settings(max_examples=int(os.environ.get("DAMAGE_EXAMPLES", "60")), deadline=None,
                    derandomize=not os.environ.get("DAMAGE_RANDOM"),
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _decode(name: str) -> str:
    return BYTES[name].decode(EXPECTED[name]["encoding"])


def _encode(name: str, text: str) -> bytes:
    return text.encode(EXPECTED[name]["encoding"], errors="replace")


def _read_damaged(name: str, data: bytes) -> None:
    """Write damaged bytes to a temp file with the sample's suffix and read it."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ("damaged" + Path(name).suffix)
        path.write_bytes(data)
        try:
            result = read_report(path)
        except ReportError as exc:
            assert exc.code and exc.reason  # a clear, specific error
            return
        assert isinstance(result, Report)


# ---------------------------------------------------------------------------------------------
# damage operations (text)
# ---------------------------------------------------------------------------------------------


def truncate_text(text: str, frac: float) -> str:
    return text[: int(len(text) * frac)]


def shuffle_lines(text: str, seed: int) -> str:
    lines = text.split("\n")
    random.Random(seed).shuffle(lines)
    return "\n".join(lines)


def drop_cells(text: str, seed: int, rate: float) -> str:
    """Drop random table cells: pipe-separated cells, tab cells, or lone numbers/digit runs on a line."""
    rnd = random.Random(seed)
    out = []
    for line in text.split("\n"):
        if "|" in line:
            cells = line.split("|")
            line = "|".join(c for c in cells if rnd.random() >= rate)
        elif line.startswith("\t") or line.strip().replace(".", "").isdigit():
            if rnd.random() < rate:
                continue
        elif line and line[-1].isdigit() and rnd.random() < rate:
            # run-together row: remove one digit somewhere in the trailing run
            i = len(line) - 1 - rnd.randrange(min(7, len(line)))
            line = line[:i] + line[i + 1:]
        out.append(line)
    return "\n".join(out)


def insert_junk(data: bytes, positions: list[int], junk: bytes) -> bytes:
    out = bytearray(data)
    for p in sorted((p % (len(out) + 1) for p in positions), reverse=True):
        out[p:p] = junk
    return bytes(out)


WRONG_ENCODINGS = ["gbk", "big5", "utf-16", "utf-16-be", "latin-1", "cp1252", "shift_jis", "utf-8-sig", "gb18030"]


# ---------------------------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------------------------


@SETTINGS
@given(name=st.sampled_from(NAMES), frac=st.floats(0.0, 1.0))
def test_truncated_anywhere(name, frac):
    data = BYTES[name]
    _read_damaged(name, data[: int(len(data) * frac)])


@SETTINGS
@given(name=st.sampled_from(TEXT_NAMES), seed=st.integers(0, 2**32 - 1))
def test_shuffled_lines(name, seed):
    _read_damaged(name, _encode(name, shuffle_lines(_decode(name), seed)))


@SETTINGS
@given(name=st.sampled_from(TEXT_NAMES), seed=st.integers(0, 2**32 - 1), rate=st.floats(0.01, 0.6))
def test_dropped_table_cells(name, seed, rate):
    _read_damaged(name, _encode(name, drop_cells(_decode(name), seed, rate)))


@SETTINGS
@given(name=st.sampled_from(NAMES), positions=st.lists(st.integers(0, 10**6), min_size=1, max_size=8),
       junk=st.binary(min_size=1, max_size=64))
def test_junk_bytes_inserted(name, positions, junk):
    _read_damaged(name, insert_junk(BYTES[name], positions, junk))


@SETTINGS
@given(name=st.sampled_from(TEXT_NAMES), enc=st.sampled_from(WRONG_ENCODINGS))
def test_wrong_encoding(name, enc):
    data = _decode(name).encode(enc, errors="replace")
    _read_damaged(name, data)


@SETTINGS
@given(name=st.sampled_from(TEXT_NAMES), frac=st.floats(0.0, 1.0), enc=st.sampled_from(["utf-16", "gbk", "utf-8"]))
def test_wrong_encoding_then_truncated(name, frac, enc):
    """Multi-byte encodings cut in the middle of a character."""
    data = _decode(name).encode(enc, errors="replace")
    _read_damaged(name, data[: int(len(data) * frac)])


@SETTINGS
@given(name=st.sampled_from(BINARY_NAMES), positions=st.lists(st.integers(0, 10**6), min_size=1, max_size=20),
       seed=st.integers(0, 255))
def test_binary_bytes_flipped(name, positions, seed):
    out = bytearray(BYTES[name])
    for i, p in enumerate(positions):
        out[p % len(out)] ^= (seed + i) % 255 + 1
    _read_damaged(name, bytes(out))


@pytest.mark.parametrize("name", BINARY_NAMES)
def test_binary_truncated_to_every_prefix_size(name):
    """Every whole-file truncation of the docx / pdf at 24 evenly spaced points, including 0 bytes."""
    data = BYTES[name]
    for k in range(24):
        _read_damaged(name, data[: len(data) * k // 24])


@pytest.mark.parametrize("name", BINARY_NAMES)
def test_binary_as_wrong_suffix(name):
    """A docx saved as .pdf and vice versa, and a binary file named .txt."""
    data = BYTES[name]
    for suffix in (".pdf", ".docx", ".txt", ".html"):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / ("damaged" + suffix)
            path.write_bytes(data)
            try:
                assert isinstance(read_report(path), Report)
            except ReportError:
                pass
