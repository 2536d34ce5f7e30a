"""Shared pieces of the service tests (tests/test_service_*.py): an app over a temporary store with the
FixedTagger pipeline (no model download, deterministic statements), clients, logins and sample uploads."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from tests.conftest import EXPECTED, SAMPLES_DIR, FixedTagger

pytest.importorskip("fastapi")
pytest.importorskip("argon2")

BASE = "http://127.0.0.1:8000"
PASSWORD = "correct horse battery"
TWO = ["s01_yunxi_county_gov_2023.txt", "s16_baisha_county_gov_2021.txt"]


@pytest.fixture(scope="session")
def nlp():
    import inference

    return inference.load(model=FixedTagger())


def make_app(store: Path, nlp, host: str = "127.0.0.1", users: dict[str, str] | None = None, **kw):
    """An app over `store`; `users`: {name: role}, each with PASSWORD, created before the app."""
    from inference.service.app import create_app
    from inference.service.auth import Auth
    from inference.service.config import Settings
    from inference.service.db import ServiceDB

    if users:
        auth = Auth(ServiceDB(Path(store) / "service.sqlite"), Settings(Path(store)))
        for name, role in users.items():
            auth.add_user(name, role, PASSWORD)
    return create_app(store, nlp=nlp, host=host, **kw)


def client(app, base_url: str = BASE):
    from fastapi.testclient import TestClient

    return TestClient(app, base_url=base_url)


def login(c, name: str, password: str = PASSWORD) -> str:
    """Log in through the API; returns the CSRF token (also set as the client's default header)."""
    r = c.post("/api/v1/login", json={"name": name, "password": password})
    assert r.status_code == 200, r.text
    token = r.json()["csrf_token"]
    c.headers["X-CSRF-Token"] = token
    return token


def sample_file(name: str):
    return (name, (SAMPLES_DIR / name).read_bytes())


def upload(c, names: list[str] = TWO, extra: list[tuple[str, bytes]] = ()):
    files = [("files", sample_file(n)) for n in names] + [("files", (n, data)) for n, data in extra]
    return c.post("/api/v1/batches", files=files)


def wait(app) -> None:
    assert app.state.svc.engine.wait_idle(120), "workers did not finish"


def scored_batch(c, app, names: list[str] = TWO, extra=()) -> dict:
    r = upload(c, names, extra)
    assert r.status_code == 202, r.text
    wait(app)
    view = c.get(f"/api/v1/batches/{r.json()['id']}").json()
    assert view["status"] == "done", view
    return view


def zip_bytes(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def form_token(html: str) -> str:
    import re

    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token on the page"
    return m.group(1)


def previous_year_text(name: str) -> bytes:
    """The sample rewritten as the same body's report of the year before (as tests/test_batch.py does)."""
    year = EXPECTED[name]["year"]
    text = (SAMPLES_DIR / name).read_text(encoding="utf-8")
    return text.replace(str(year), "@@").replace(str(year + 1), str(year)).replace("@@", str(year - 1)).encode("utf-8")
