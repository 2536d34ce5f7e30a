"""Access: open local mode, accounts, roles against actions, CSRF, cookies, login rate limit, host checks,
and `nianbao serve` refusing a public address without accounts."""
from __future__ import annotations

import argparse
import sqlite3

import pytest

from tests.service_helpers import (PASSWORD, TWO, client, form_token, login, make_app, nlp, sample_file,  # noqa: F401
                                   scored_batch, upload, wait)

USERS = {"vera": "viewer", "rex": "reviewer", "ada": "admin"}
HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def accounts(tmp_path_factory, nlp):  # noqa: F811
    store = tmp_path_factory.mktemp("store")
    app = make_app(store, nlp, users=USERS)
    admin = client(app)
    login(admin, "ada")
    view = scored_batch(admin, app, names=TWO[:1])
    return app, store, view


def _as(app, name: str | None):
    c = client(app)
    if name:
        login(c, name)
    return c


def _code(r) -> str:
    return r.json()["error"]["code"]


# -- open local mode -----------------------------------------------------------------------------------------
def test_open_local_mode_needs_no_login(tmp_path, nlp):  # noqa: F811
    app = make_app(tmp_path, nlp)
    c = client(app)
    assert c.get("/api/v1/session").json()["role"] == "admin"
    assert c.post("/api/v1/score", files={"file": sample_file(TWO[0])}).status_code == 200
    assert c.get("/", headers=HTML).status_code == 200


def test_open_mode_refuses_foreign_origin_and_host(tmp_path, nlp):  # noqa: F811
    app = make_app(tmp_path, nlp)
    c = client(app)
    r = c.post("/api/v1/score", files={"file": sample_file(TWO[0])}, headers={"origin": "http://evil.example"})
    assert r.status_code == 403 and _code(r) == "csrf_failed"
    r = c.post("/api/v1/score", files={"file": sample_file(TWO[0])}, headers={"sec-fetch-site": "cross-site"})
    assert r.status_code == 403 and _code(r) == "csrf_failed"
    r = c.post("/api/v1/score", files={"file": sample_file(TWO[0])}, headers={"origin": "http://127.0.0.1:8000"})
    assert r.status_code == 200
    # DNS rebinding: a foreign host name pointing at 127.0.0.1
    r = client(app, base_url="http://evil.example").get("/api/v1/health")
    assert r.status_code == 403 and _code(r) == "bad_host"
    assert client(app, base_url="http://localhost:8000").get("/api/v1/health").status_code == 200


def test_open_mode_web_forms_need_the_csrf_token(tmp_path, nlp):  # noqa: F811
    app = make_app(tmp_path, nlp)
    c = client(app)
    page = c.get("/", headers=HTML)
    token = form_token(page.text)
    files = [("files", sample_file(TWO[0]))]
    r = c.post("/upload", files=files, data={"csrf_token": "wrong"}, headers=HTML, follow_redirects=False)
    assert r.status_code == 403 and "页面已过期" in r.text
    r = c.post("/upload", files=files, data={"csrf_token": token}, headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/batches/")
    wait(app)


def test_accounts_exist_so_login_is_needed_even_on_loopback(tmp_path, nlp):  # noqa: F811
    app = make_app(tmp_path, nlp, users={"ada": "admin"})
    c = client(app)
    r = c.get("/api/v1/batches")
    assert r.status_code == 401 and _code(r) == "not_authenticated"
    r = c.get("/", headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


# -- roles ---------------------------------------------------------------------------------------------------
def test_anonymous_is_refused_everything_but_health(accounts):
    app, _, view = accounts
    c = _as(app, None)
    rid = view["reports"][0]["id"]
    assert c.get("/api/v1/health").status_code == 200
    for method, url in (("get", "/api/v1/batches"), ("get", f"/api/v1/batches/{view['id']}"), ("get", f"/api/v1/reports/{rid}"),
                        ("get", f"/api/v1/batches/{view['id']}/summary.xlsx"), ("get", "/api/v1/users")):
        r = getattr(c, method)(url)
        assert r.status_code == 401 and _code(r) == "not_authenticated", url
    r = c.post("/api/v1/score", files={"file": sample_file(TWO[0])})
    assert r.status_code == 401
    for url in (f"/batches/{view['id']}", f"/reports/{rid}", "/users"):
        r = c.get(url, headers=HTML, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login"), url


@pytest.mark.parametrize("who,can_read,can_review,can_manage", [
    ("vera", True, False, False), ("rex", True, True, False), ("ada", True, True, True)])
def test_roles_against_actions(accounts, who, can_read, can_review, can_manage):
    app, _, view = accounts
    c = _as(app, who)
    rid = view["reports"][0]["id"]
    report = c.get(f"/api/v1/reports/{rid}")
    assert (report.status_code == 200) == can_read
    key = report.json()["score"]["deductions"][0]["key"]

    def expect(r, allowed):
        if allowed:
            assert r.status_code in (200, 201, 202), r.text
        else:
            assert r.status_code == 403 and _code(r) == "forbidden", r.text

    expect(c.post("/api/v1/score", files={"file": sample_file(TWO[0])}), can_review)
    expect(upload(c, TWO[:1]), can_review)
    expect(c.post(f"/api/v1/reports/{rid}/deductions/{key}", json={"decision": "confirm", "note": who}), can_review)
    st = report.json()["statements"][0]
    expect(c.post(f"/api/v1/reports/{rid}/statements/{st['start']}-{st['end']}",
                  json={"role": st["role"], "categories": st["categories"], "specific": st["specific"], "status": st["status"]}),
           can_review)
    expect(c.get("/api/v1/reviewed.jsonl"), can_review)
    expect(c.get("/api/v1/users"), can_manage)
    expect(c.post("/api/v1/users", json={"name": f"new-{who}", "role": "viewer", "password": PASSWORD}), can_manage)
    # the web app: viewers see no review forms, and posting one is refused
    page = c.get(f"/reports/{rid}", headers=HTML)
    assert page.status_code == 200
    assert ("/deductions/" in page.text) == can_review
    token = form_token(page.text)
    r = c.post(f"/reports/{rid}/deductions/{key}", data={"csrf_token": token, "decision": "confirm"}, headers=HTML,
               follow_redirects=False)
    assert r.status_code == (303 if can_review else 403)
    r = c.get("/users", headers=HTML)
    assert r.status_code == (200 if can_manage else 403)
    wait(app)


# -- CSRF, cookies, passwords --------------------------------------------------------------------------------
def test_api_changes_need_the_csrf_header(accounts):
    app, _, view = accounts
    c = _as(app, "rex")
    token = c.headers.pop("X-CSRF-Token")
    rid = view["reports"][0]["id"]
    key = c.get(f"/api/v1/reports/{rid}").json()["score"]["deductions"][0]["key"]
    url = f"/api/v1/reports/{rid}/deductions/{key}"
    r = c.post(url, json={"decision": "confirm"})
    assert r.status_code == 403 and _code(r) == "csrf_failed"
    r = c.post(url, json={"decision": "confirm"}, headers={"X-CSRF-Token": "forged"})
    assert r.status_code == 403 and _code(r) == "csrf_failed"
    r = c.post(url, json={"decision": "confirm"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200


def test_web_forms_need_the_csrf_token(accounts):
    app, _, view = accounts
    c = _as(app, "rex")
    rid = view["reports"][0]["id"]
    page = c.get(f"/reports/{rid}", headers=HTML)
    key = c.get(f"/api/v1/reports/{rid}").json()["score"]["deductions"][0]["key"]
    for data in ({"decision": "dismiss"}, {"decision": "dismiss", "csrf_token": "x" * 32}):
        r = c.post(f"/reports/{rid}/deductions/{key}", data=data, headers=HTML, follow_redirects=False)
        assert r.status_code == 403, data
    # a token of another session does not work either
    other = _as(app, "ada").get(f"/reports/{rid}", headers=HTML)
    r = c.post(f"/reports/{rid}/deductions/{key}", data={"decision": "dismiss", "csrf_token": form_token(other.text)},
               headers=HTML, follow_redirects=False)
    assert r.status_code == 403
    assert form_token(page.text) != form_token(other.text)


def test_session_cookie_flags_and_logout(accounts):
    app, _, _ = accounts
    c = client(app)
    r = c.post("/api/v1/login", json={"name": "vera", "password": PASSWORD})
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "nianbao_session=" in cookie
    c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    assert c.get("/api/v1/batches").status_code == 200
    assert c.post("/api/v1/logout").status_code == 200
    assert c.get("/api/v1/batches").status_code == 401


def test_web_login_and_logout(accounts):
    app, _, _ = accounts
    c = client(app)
    page = c.get("/login", headers=HTML)
    token = form_token(page.text)
    r = c.post("/login", data={"csrf_token": token, "name": "vera", "password": "wrong-password", "next": "/"},
               headers=HTML, follow_redirects=False)
    assert r.status_code == 401 and "用户名或密码错误" in r.text
    r = c.post("/login", data={"csrf_token": token, "name": "vera", "password": PASSWORD, "next": "//evil.example/x"},
               headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"  # no open redirect
    home = c.get("/", headers=HTML)
    assert "vera" in home.text and "上传并评分" not in home.text  # viewers get no upload form
    r = c.post("/logout", data={"csrf_token": form_token(home.text)}, headers=HTML, follow_redirects=False)
    assert r.status_code == 303
    assert c.get("/", headers=HTML, follow_redirects=False).status_code == 303


def test_passwords_are_argon2_hashes(accounts):
    _, store, _ = accounts
    con = sqlite3.connect(store / "service.sqlite")
    hashes = [h for (h,) in con.execute("SELECT hash FROM users")]
    con.close()
    assert hashes and all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)


def test_login_rate_limit(tmp_path, nlp):  # noqa: F811
    app = make_app(tmp_path, nlp, users={"ada": "admin"})
    c = client(app)
    for _ in range(5):
        r = c.post("/api/v1/login", json={"name": "ada", "password": "wrong-password"})
        assert r.status_code == 401 and _code(r) == "login_failed"
    r = c.post("/api/v1/login", json={"name": "ada", "password": PASSWORD})
    assert r.status_code == 429 and _code(r) == "rate_limited" and int(r.headers["retry-after"]) > 0
    # an unknown account fails the same way (no user enumeration)
    r = client(app).post("/api/v1/login", json={"name": "nobody", "password": "x"})
    assert r.status_code in (401, 429)


def test_bad_passwords_and_names_are_refused(tmp_path, nlp):  # noqa: F811
    app = make_app(tmp_path, nlp, users={"ada": "admin"})
    c = client(app)
    login(c, "ada")
    r = c.post("/api/v1/users", json={"name": "bob", "role": "viewer", "password": "short"})
    assert r.status_code == 422 and _code(r) == "validation_error"
    r = c.post("/api/v1/users", json={"name": "../bob", "role": "viewer", "password": PASSWORD})
    assert r.status_code == 422
    r = c.post("/api/v1/users", json={"name": "bob", "role": "root", "password": PASSWORD})
    assert r.status_code == 422


# -- the command line ----------------------------------------------------------------------------------------
def _serve_args(store, host):
    return argparse.Namespace(host=host, port=0, store=str(store), workers=1, model=None, rubric=None, int8=False,
                              secure_cookies=False, max_files=500, max_file_mb=20)


def test_serve_refuses_a_public_address_without_accounts(tmp_path, capsys):
    from inference.service import serve_cmd

    assert serve_cmd.run(_serve_args(tmp_path, "0.0.0.0")) == 2
    assert "必须先创建账号" in capsys.readouterr().err


def test_users_command(tmp_path, monkeypatch, capsys):
    from inference.cli import main
    from inference.service.db import ServiceDB

    monkeypatch.setenv("NIANBAO_PASSWORD", PASSWORD)
    assert main(["users", "add", "rex", "--role", "reviewer", "--store", str(tmp_path)]) == 0
    assert main(["users", "list", "--store", str(tmp_path)]) == 0
    assert "rex\treviewer" in capsys.readouterr().out
    assert ServiceDB(tmp_path / "service.sqlite").user("rex")["hash"].startswith("$argon2id$")
    monkeypatch.setenv("NIANBAO_PASSWORD", "short")
    assert main(["users", "add", "bob", "--role", "viewer", "--store", str(tmp_path)]) == 2
    assert main(["users", "remove", "rex", "--store", str(tmp_path)]) == 0
    assert ServiceDB(tmp_path / "service.sqlite").user_count() == 0


def test_serve_is_registered():
    from inference.cli import COMMANDS, build_parser

    assert "serve" in COMMANDS and "users" in COMMANDS
    args = build_parser("serve").parse_args(["serve"])
    assert args.host == "127.0.0.1" and args.port == 8000 and args.workers == 1


def test_admin_adds_an_account_in_the_web_app(tmp_path, nlp):  # noqa: F811
    app = make_app(tmp_path, nlp, users={"ada": "admin"})
    c = client(app)
    login(c, "ada")
    page = c.get("/users", headers=HTML)
    assert page.status_code == 200 and "新建或重置账号" in page.text
    r = c.post("/users", data={"csrf_token": form_token(page.text), "name": "vera", "role": "viewer", "password": PASSWORD},
               headers=HTML, follow_redirects=False)
    assert r.status_code == 303
    assert "vera" in c.get("/users", headers=HTML).text
    r = c.post("/users", data={"csrf_token": form_token(page.text), "name": "x", "role": "viewer", "password": "short"},
               headers=HTML)
    assert r.status_code == 422 and "密码至少" in r.text
    viewer = client(app)
    login(viewer, "vera")
    assert viewer.get("/api/v1/session").json()["role"] == "viewer"
