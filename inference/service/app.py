"""The FastAPI application: `create_app(store, nlp=...)`. The pipeline is loaded once per process and
shared by every request and worker."""
from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from inference.service.config import Settings
from inference.service.errors import CODES, ServiceError, error
from inference.service.uploads import Limits, size_cn

log = logging.getLogger("nianbao.service")
HTTP_CODES = {400: "bad_request", 401: "not_authenticated", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 413: "request_too_large", 422: "validation_error"}


class BodyLimit:
    """ASGI middleware: refuses a request whose body (declared or streamed) is over `limit` bytes."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            return await _send_error(scope, send, error("request_too_large",
                                                        f"请求超过 {size_cn(self.limit)} 上限"))
        seen = 0

        async def limited():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    scope["nianbao_too_large"] = True  # a body parser may wrap the error below into a 400
                    raise error("request_too_large", f"请求超过 {size_cn(self.limit)} 上限")
            return message

        return await self.app(scope, limited, send)


async def _send_error(scope, send, exc: ServiceError) -> None:
    response = JSONResponse(exc.body(), status_code=exc.status)
    await response(scope, None, send)


def create_app(store: str | Path, nlp=None, workers: int = 1, host: str = "127.0.0.1", limits: Limits | None = None,
               secure_cookies: bool = False, start_workers: bool = True, **settings) -> FastAPI:
    """The service over the store folder `store`. `nlp`: a loaded Pipeline (default: `inference.load()`)."""
    from inference.service.core import Service

    if nlp is None:
        import inference

        nlp = inference.load()
    if nlp.has_pipe("statements"):
        nlp.model  # noqa: B018 - load the statement model now, not on the first request
    config = Settings(Path(store), host=host, workers=workers, limits=limits or Limits(), secure_cookies=secure_cookies,
                      **settings)
    svc = Service(config, nlp, start=start_workers)

    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(app):
        yield
        svc.engine.stop()

    from fastapi_offline import FastAPIOffline  # /docs with Swagger UI served from the package, not a CDN

    app = FastAPIOffline(title="nianbao 政府信息公开年度报告评分服务", version="1",
                  description="上传、评分、复核政府信息公开工作年度报告。错误均为 JSON：{\"error\": {\"code\", \"message\"}}。",
                  lifespan=lifespan)
    app.state.svc = svc

    @app.middleware("http")
    async def guard(request: Request, call_next):
        try:
            svc.auth.check_host(request)
        except ServiceError as exc:
            return _error_response(request, exc)
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.headers.get("content-type", "").startswith("text/html"):
            response.headers.setdefault("Content-Security-Policy",
                                        "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; "
                                        "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'")
        return response

    app.add_middleware(BodyLimit, limit=config.limits.max_request_bytes)

    @app.exception_handler(ServiceError)
    async def service_error(request: Request, exc: ServiceError):
        return _error_response(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if request.scope.get("nianbao_too_large"):
            return _error_response(request, error("request_too_large", f"请求超过 {size_cn(config.limits.max_request_bytes)} 上限"))
        code = HTTP_CODES.get(exc.status_code, "bad_request")
        return _error_response(request, ServiceError(exc.status_code, code, CODES[code][1]))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        fields = ["/".join(str(x) for x in e.get("loc", ())) for e in exc.errors()][:10]
        return _error_response(request, error("validation_error", f"请求参数无效：{'、'.join(fields)}", fields=fields))

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception):
        log.exception("unhandled error on %s", request.url.path)
        return _error_response(request, error("internal"))

    from inference.service import api, web

    app.include_router(api.router)
    app.include_router(web.router)
    _document_security(app)
    return app


def _document_security(app: FastAPI) -> None:
    """OpenAPI: the session cookie and the CSRF header, so that /docs can try calls out with accounts on."""
    def openapi():
        if app.openapi_schema:
            return app.openapi_schema
        from fastapi.openapi.utils import get_openapi

        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        schema.setdefault("components", {})["securitySchemes"] = {
            "session": {"type": "apiKey", "in": "cookie", "name": "nianbao_session",
                        "description": "POST /api/v1/login 设置（本机无账号模式下不需要）"},
            "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token",
                     "description": "登录返回的 csrf_token；所有修改类请求都需要"}}
        schema["security"] = [{"session": [], "csrf": []}, {}]
        app.openapi_schema = schema
        return schema

    app.openapi = openapi


def _error_response(request: Request, exc: ServiceError):
    headers = {"Retry-After": str(exc.detail["retry_after"])} if "retry_after" in exc.detail else None
    if request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", ""):
        return JSONResponse(exc.body(), status_code=exc.status, headers=headers)
    from inference.service.web import error_page

    return HTMLResponse(error_page(request, exc), status_code=exc.status, headers=headers)
