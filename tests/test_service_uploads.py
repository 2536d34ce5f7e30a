"""Upload limits: file size, request size, file count, zip bombs, bad zips, hostile names."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.conftest import SAMPLES_DIR
from tests.service_helpers import client, make_app, nlp, wait, zip_bytes  # noqa: F401

SAMPLE = "s01_yunxi_county_gov_2023.txt"


def _app(tmp_path, nlp, **limits):  # noqa: F811
    from inference.service.uploads import Limits

    return make_app(tmp_path, nlp, limits=Limits(**limits))


def _code(r) -> str:
    return r.json()["error"]["code"]


def _files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def test_oversized_file(tmp_path, nlp):  # noqa: F811
    app = _app(tmp_path, nlp, max_file_bytes=1000)
    c = client(app)
    r = c.post("/api/v1/score", files={"file": ("big.txt", b"x" * 1001)})
    assert r.status_code == 413 and _code(r) == "file_too_large"
    r = c.post("/api/v1/batches", files=[("files", ("big.txt", b"x" * 5000))])
    assert r.status_code == 413 and _code(r) == "file_too_large"
    assert not [b for b in c.get("/api/v1/batches").json()["batches"]]  # nothing half-made is left
    assert not list((tmp_path / "_tmp").iterdir())


def test_oversized_request(tmp_path, nlp):  # noqa: F811
    app = _app(tmp_path, nlp, max_request_bytes=10_000)
    c = client(app)
    r = c.post("/api/v1/batches", files=[("files", ("a.txt", b"x" * 20_000))])
    assert r.status_code == 413 and _code(r) == "request_too_large"


def test_streamed_request_without_length_is_limited(tmp_path, nlp):  # noqa: F811
    app = _app(tmp_path, nlp, max_request_bytes=10_000)
    c = client(app)

    def body():
        yield b'--zzz\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n'
        for _ in range(10):
            yield b"x" * 4096

    r = c.post("/api/v1/score", content=body(), headers={"content-type": "multipart/form-data; boundary=zzz"})
    assert r.status_code == 413 and _code(r) == "request_too_large"


def test_too_many_files(tmp_path, nlp):  # noqa: F811
    app = _app(tmp_path, nlp, max_files=3)
    c = client(app)
    r = c.post("/api/v1/batches", files=[("files", (f"{i}.txt", b"abc")) for i in range(4)])
    assert r.status_code == 413 and _code(r) == "too_many_files"
    z = zip_bytes({f"{i}.txt": b"abc" for i in range(4)})
    r = c.post("/api/v1/batches", files=[("files", ("many.zip", z))])
    assert r.status_code == 413 and _code(r) == "too_many_files"


def test_zip_bomb_by_ratio(tmp_path, nlp):  # noqa: F811
    app = _app(tmp_path, nlp)
    c = client(app)
    bomb = zip_bytes({"bomb.txt": b"\0" * (15 * 1024 * 1024)})  # ~15 MB of zeros compress ~1000:1
    assert len(bomb) < 100_000
    r = c.post("/api/v1/batches", files=[("files", ("bomb.zip", bomb))])
    assert r.status_code == 413 and _code(r) == "zip_too_large"
    assert not list(tmp_path.glob("*/uploads/*"))


def test_zip_bomb_by_total_size(tmp_path, nlp):  # noqa: F811
    app = _app(tmp_path, nlp, max_zip_bytes=2 * 1024 * 1024, max_zip_ratio=10_000)
    c = client(app)
    z = zip_bytes({f"{i}.txt": b"\0" * (1024 * 1024) for i in range(3)})
    r = c.post("/api/v1/batches", files=[("files", ("big.zip", z))])
    assert r.status_code == 413 and _code(r) == "zip_too_large"


def test_zip_member_lying_about_its_size_is_stopped(tmp_path, nlp):  # noqa: F811
    """A member whose header declares a small size but holds more is cut at the declared size."""
    import io

    from inference.service.errors import ServiceError
    from inference.service.uploads import Limits, save_stream

    z = bytearray(zip_bytes({"a.txt": b"y" * 5000}, compression=zipfile.ZIP_STORED))
    # patch the declared uncompressed size (local header and central directory) down to 100
    for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        i = z.find(sig)
        z[i + off:i + off + 4] = (100).to_bytes(4, "little")
    dest = tmp_path / "up"
    dest.mkdir()
    with pytest.raises(ServiceError) as exc:
        save_stream(io.BytesIO(bytes(z)), "liar.zip", dest, Limits())
    assert exc.value.code in ("zip_too_large", "bad_zip")
    assert not list(dest.iterdir())


def test_bad_zip_and_no_files(tmp_path, nlp):  # noqa: F811
    app = _app(tmp_path, nlp)
    c = client(app)
    r = c.post("/api/v1/batches", files=[("files", ("broken.zip", b"PK\x03\x04garbage"))])
    assert r.status_code == 422 and _code(r) == "bad_zip"
    z = zip_bytes({"sheet.xls": b"\xd0\xcf\x11\xe0", "nested.zip": zip_bytes({"a.txt": b"x"}), "dir/": b""})
    r = c.post("/api/v1/batches", files=[("files", ("nothing.zip", z))])
    assert r.status_code == 422 and _code(r) == "no_files"
    r = c.post("/api/v1/batches", files=[("files", ("a.exe", b"MZ"))])
    assert r.status_code == 415 and _code(r) == "unsupported_type"


def test_hostile_names_never_reach_the_filesystem(tmp_path, nlp):  # noqa: F811
    app = _app(tmp_path, nlp)
    c = client(app)
    before = _files_under(tmp_path)
    data = (SAMPLES_DIR / SAMPLE).read_bytes()
    z = zip_bytes({"../../../escaped.txt": data, "/abs/evil.txt": data, "..\\..\\win.txt": data})
    r = c.post("/api/v1/batches", files=[("files", ("../../up.txt", data)), ("files", ("x/../../z.zip", z))])
    assert r.status_code == 202, r.text
    wait(app)
    view = c.get(f"/api/v1/batches/{r.json()['id']}").json()
    names = sorted(x["name"] for x in view["reports"])
    assert names == ["escaped.txt", "evil.txt", "up.txt", "win.txt"]
    assert all(x["status"] == "ok" for x in view["reports"])
    uploads = tmp_path / r.json()["id"] / "uploads"
    new = _files_under(tmp_path) - before
    outside = [p for p in new if uploads not in p.parents and p.name not in ("run.sqlite", "run.sqlite-wal", "run.sqlite-shm",
                                                                                   "history.sqlite", "history.sqlite-wal",
                                                                                   "history.sqlite-shm", "service.sqlite-wal",
                                                                                   "service.sqlite-shm", "service.sqlite")]
    assert not outside, outside
    assert not (tmp_path.parent / "escaped.txt").exists() and not Path("/abs/evil.txt").exists()
    assert all(len(p.stem) == 24 and p.suffix == ".txt" for p in uploads.iterdir())


def test_gbk_zip_names_are_decoded(tmp_path, nlp):  # noqa: F811
    import io

    from inference.service.uploads import Limits, save_stream

    # Windows zip tools write GBK names without the UTF-8 flag: patch the GBK bytes over an ASCII name
    raw = zip_bytes({"AAAA.txt": b"abc"}).replace(b"AAAA.txt", "报告".encode("gbk") + b".txt")
    dest = tmp_path / "up"
    dest.mkdir()
    saved = save_stream(io.BytesIO(raw), "a.zip", dest, Limits())
    assert [s.name for s in saved] == ["报告.txt"]


def test_display_names_drop_paths_and_control_characters():
    from inference.service.uploads import display_name

    assert display_name("../../a.txt") == "a.txt"
    assert display_name("C:\\Users\\x\\b.txt") == "b.txt"
    assert display_name("con\x00trol\n.txt") == "control.txt"
    assert display_name("") == display_name(None) == "未命名"
    assert len(display_name("长" * 500 + ".txt")) == 120
