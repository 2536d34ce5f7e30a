"""`nianbao serve`: the HTTP API and web app (inference/service/).

    nianbao serve [--host 127.0.0.1] [--port 8000] [--store DIR] [--workers N]

Accounts: `nianbao users` (inference/service/users_cmd.py).
"""
from __future__ import annotations

import sys
from pathlib import Path

DEFAULT_STORE = "nianbao-store"


def add_arguments(parser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--store", default=DEFAULT_STORE, help=f"store folder: run stores, uploads, accounts (default ./{DEFAULT_STORE})")
    parser.add_argument("--workers", type=int, default=1, help="background scoring workers (threads; default 1)")
    parser.add_argument("--model", default=None, help="statement model directory (default model/default)")
    parser.add_argument("--rubric", default=None, help="rubric JSON (default data/rubric.json)")
    parser.add_argument("--int8", action="store_true", help="int8-quantised model")
    parser.add_argument("--max-files", type=int, default=500, help="files per upload, zip members included (default 500)")
    parser.add_argument("--max-file-mb", type=float, default=20, help="size of one file in MB (default 20)")
    parser.add_argument("--secure-cookies", action="store_true", help="mark cookies Secure (when served over HTTPS)")


def run(args) -> int:
    from inference.errors import NianbaoError
    from inference.service.config import is_loopback
    from inference.service.db import ServiceDB

    store = Path(args.store)
    if not is_loopback(args.host) and ServiceDB(store / "service.sqlite").user_count() == 0:
        print(f"错误：在 {args.host} 上提供服务必须先创建账号（只有 127.0.0.1 可以不设账号）。\n"
              f"  nianbao users add 用户名 --role admin --store {store}", file=sys.stderr)
        return 2
    try:
        import uvicorn

        import inference
        from inference.service.app import create_app

        nlp = inference.load(model=args.model, rubric=args.rubric, int8=args.int8)
        from inference.service.uploads import Limits

        limits = Limits(max_files=args.max_files, max_file_bytes=int(args.max_file_mb * 1024 * 1024))
        app = create_app(store, nlp=nlp, workers=args.workers, host=args.host, secure_cookies=args.secure_cookies,
                         limits=limits)
    except NianbaoError as exc:
        print(f"错误: {exc}", file=sys.stderr)
        return 2
    print(f"nianbao 服务：http://{args.host}:{args.port}/  接口文档：http://{args.host}:{args.port}/docs  存储：{store}",
          file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info", access_log=False)
    return 0
