"""Service settings (from `nianbao serve` options or `create_app` arguments)."""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path

from inference.service.uploads import Limits

LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class Settings:
    store: Path
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    limits: Limits = field(default_factory=Limits)
    secure_cookies: bool = False  # set when served over HTTPS (behind a TLS proxy)
    session_hours: float = 12.0
    login_attempts: int = 5  # failed logins allowed per client and per account ...
    login_window_s: float = 300.0  # ... within this many seconds

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)
