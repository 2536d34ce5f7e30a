"""`nianbao users`: accounts of the service (argon2id hashes in STORE/service.sqlite).

    nianbao users add NAME --role viewer|reviewer|admin [--store DIR]   (password asked; or NIANBAO_PASSWORD)
    nianbao users list [--store DIR]
    nianbao users remove NAME [--store DIR]
"""
from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from inference.service.serve_cmd import DEFAULT_STORE


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="users_command", required=True)
    a = sub.add_parser("add", help="create an account or reset its role and password")
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=["viewer", "reviewer", "admin"])
    a.add_argument("--store", default=DEFAULT_STORE)
    ls = sub.add_parser("list", help="list accounts")
    ls.add_argument("--store", default=DEFAULT_STORE)
    rm = sub.add_parser("remove", help="delete an account and its sessions")
    rm.add_argument("name")
    rm.add_argument("--store", default=DEFAULT_STORE)


def run(args) -> int:
    from inference.service.auth import Auth
    from inference.service.config import Settings
    from inference.service.db import ServiceDB
    from inference.service.errors import ServiceError
    from inference.service.names import ROLE_NAMES_CN

    store = Path(args.store)
    db = ServiceDB(store / "service.sqlite")
    if args.users_command == "list":
        for u in db.users():
            print(f"{u['name']}\t{u['role']}\t{ROLE_NAMES_CN[u['role']]}")
        return 0
    if args.users_command == "remove":
        if db.user(args.name) is None:
            print(f"错误：没有账号 {args.name}", file=sys.stderr)
            return 2
        db.delete_user(args.name)
        print(f"已删除账号 {args.name}")
        return 0
    password = os.environ.get("NIANBAO_PASSWORD")
    if password is None:
        password = getpass.getpass("密码：")
        if getpass.getpass("再次输入密码：") != password:
            print("错误：两次输入的密码不一致", file=sys.stderr)
            return 2
    try:
        Auth(db, Settings(store)).add_user(args.name, args.role, password)
    except ServiceError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return 2
    print(f"已保存账号 {args.name}（{ROLE_NAMES_CN[args.role]}）")
    return 0
