"""Errors the service answers with: a stable English code, a Chinese message and an HTTP status.

The API answers `{"error": {"code": ..., "message": ...}}`; the web app renders the message on a page.
"""
from __future__ import annotations


class ServiceError(Exception):
    def __init__(self, status: int, code: str, message: str, **detail):
        super().__init__(f"[{code}] {message}")
        self.status, self.code, self.message, self.detail = status, code, message, detail

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, **self.detail}}


# The codes the API may answer with (documented in the README and tested one by one).
CODES = {
    "bad_request": (400, "请求无效"),
    "not_authenticated": (401, "请先登录"),
    "login_failed": (401, "用户名或密码错误"),
    "forbidden": (403, "当前账号无权执行此操作"),
    "csrf_failed": (403, "页面已过期或请求来源不可信，请刷新页面后重试"),
    "bad_host": (403, "不受信任的主机名"),
    "not_found": (404, "未找到"),
    "batch_not_found": (404, "未找到该批次"),
    "report_not_found": (404, "未找到该报告"),
    "method_not_allowed": (405, "不支持的请求方法"),
    "batch_not_ready": (409, "该批次尚未评分完成"),
    "file_too_large": (413, "文件过大"),
    "request_too_large": (413, "请求过大"),
    "too_many_files": (413, "文件数量超过上限"),
    "zip_too_large": (413, "压缩包解压后过大（疑似压缩炸弹）"),
    "unsupported_type": (415, "不支持的文件类型"),
    "bad_zip": (422, "压缩包无法读取"),
    "no_files": (422, "没有收到可评分的文件"),
    "unreadable_report": (422, "文件无法作为年度报告读取"),
    "validation_error": (422, "请求参数无效"),
    "rate_limited": (429, "登录尝试过于频繁，请稍后再试"),
    "internal": (500, "服务器内部错误"),
}


def error(code: str, message: str | None = None, **detail) -> ServiceError:
    status, default = CODES[code]
    return ServiceError(status, code, message or default, **detail)
