"""Accounts, sessions, CSRF and the login rate limit.

* Passwords: argon2id (argon2-cffi). Roles: viewer < reviewer < admin (viewers cannot review or upload,
  reviewers cannot manage users).
* Sessions: a random cookie (HttpOnly, SameSite=Strict; Secure with `--secure-cookies`); only its sha256 is
  stored. Every session, the anonymous one before login included, carries a CSRF token that each form posts
  back and each API call that changes something sends as `X-CSRF-Token`.
* Open access: on a loopback address with no accounts, everyone is the local administrator. Even then a
  request changing something must carry the CSRF token or come without a foreign `Origin` (a page on another
  site cannot post to the local service), and the `Host` must be a loopback name (DNS rebinding).
"""
from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from urllib.parse import urlsplit

from inference.service.config import Settings, is_loopback
from inference.service.db import ServiceDB
from inference.service.errors import error

COOKIE = "nianbao_session"
CSRF_HEADER = "x-csrf-token"
RANKS = {"viewer": 1, "reviewer": 2, "admin": 3}
USER_NAME = re.compile(r"^[\w.@-]{1,64}$")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
MIN_PASSWORD = 8


@dataclass
class User:
    name: str
    role: str
    anonymous: bool = False

    def can(self, role: str) -> bool:
        return RANKS[self.role] >= RANKS[role]


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Auth:
    def __init__(self, db: ServiceDB, settings: Settings):
        from argon2 import PasswordHasher

        self.db, self.settings = db, settings
        self.hasher = PasswordHasher()
        self._failures: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    # -- accounts -----------------------------------------------------------------------------------------
    def add_user(self, name: str, role: str, password: str) -> None:
        if not USER_NAME.match(name or ""):
            raise error("validation_error", "用户名只能包含字母、数字、汉字和 . _ - @，最长 64 个字符")
        if role not in RANKS:
            raise error("validation_error", f"角色须为 {'/'.join(RANKS)}")
        if len(password or "") < MIN_PASSWORD:
            raise error("validation_error", f"密码至少 {MIN_PASSWORD} 个字符")
        self.db.put_user(name, role, self.hasher.hash(password))

    def open_access(self) -> bool:
        return self.settings.loopback and self.db.user_count() == 0

    def check_password(self, name: str, password: str, client: str) -> User:
        """The user for a correct name and password; rate-limited per client address and per account."""
        from argon2.exceptions import InvalidHashError, VerificationError

        keys = (f"ip:{client}", f"user:{name}")
        self._limit(keys)
        row = self.db.user(name or "")
        try:
            if row is None:
                self.hasher.hash(password or "x")  # same cost whether or not the account exists
                raise VerificationError()
            self.hasher.verify(row["hash"], password or "")
        except (VerificationError, InvalidHashError):
            self._fail(keys)
            raise error("login_failed") from None
        with self._lock:
            self._failures.pop(f"user:{name}", None)
        return User(row["name"], row["role"])

    def _limit(self, keys) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                q = self._failures[key]
                while q and now - q[0] > self.settings.login_window_s:
                    q.popleft()
                if len(q) >= self.settings.login_attempts:
                    wait = int(self.settings.login_window_s - (now - q[0])) + 1
                    raise error("rate_limited", f"登录失败次数过多，请 {wait} 秒后再试", retry_after=wait)

    def _fail(self, keys) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._failures[key].append(now)

    # -- sessions -----------------------------------------------------------------------------------------
    def new_session(self, user: str | None) -> tuple[str, str]:
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        now = time.time()
        self.db.execute("DELETE FROM sessions WHERE expires < ?", (now,))
        self.db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?)",
                        (_sha(token), user, csrf, now, now + self.settings.session_hours * 3600))
        return token, csrf

    def drop_session(self, token: str | None) -> None:
        if token:
            self.db.execute("DELETE FROM sessions WHERE token_hash = ?", (_sha(token),))

    def session(self, request) -> dict | None:
        token = request.cookies.get(COOKIE)
        if not token or len(token) > 128:
            return None
        row = self.db.row("SELECT * FROM sessions WHERE token_hash = ?", (_sha(token),))
        if row is None or row["expires"] < time.time():
            return None
        return row

    def set_cookie(self, response, token: str) -> None:
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=self.settings.secure_cookies,
                            max_age=int(self.settings.session_hours * 3600), path="/")

    def user_of(self, session: dict | None) -> User | None:
        if session and session.get("user"):
            row = self.db.user(session["user"])
            if row is not None:
                return User(row["name"], row["role"])
        if self.open_access():
            return User("本机用户", "admin", anonymous=True)
        return None

    # -- request guards -----------------------------------------------------------------------------------
    def check_host(self, request) -> None:
        """On a loopback address only loopback host names are served (a rebinding DNS name is refused)."""
        if not self.settings.loopback:
            return
        host = (request.headers.get("host") or "").rsplit(":", 1)[0] if not (request.headers.get("host") or "").startswith("[") \
            else (request.headers.get("host") or "").split("]")[0] + "]"
        if not is_loopback(host):
            raise error("bad_host")

    def same_origin(self, request) -> bool:
        """False when a browser says the request comes from another site."""
        if request.headers.get("sec-fetch-site") == "cross-site":
            return False
        origin = request.headers.get("origin")
        if not origin:
            return True
        return urlsplit(origin).netloc == (request.headers.get("host") or "")

    def api_user(self, request, role: str = "viewer") -> User:
        """The user an API call acts as; changes need the CSRF header (or, for a cookie-less call to an
        open local service, no foreign Origin)."""
        session = self.session(request)
        user = self.user_of(session)
        if user is None:
            raise error("not_authenticated")
        if request.method not in SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER)
            if session is not None and (session.get("user") or sent):
                if not sent or not secrets.compare_digest(sent, session["csrf"]):
                    raise error("csrf_failed")
            elif not (user.anonymous and self.same_origin(request)):
                raise error("csrf_failed")
        if not user.can(role):
            raise error("forbidden")
        return user

    def check_form_csrf(self, request, session: dict | None, token: str | None) -> None:
        if session is None or not token or not secrets.compare_digest(str(token), session["csrf"]) \
                or not self.same_origin(request):
            raise error("csrf_failed")
