"""Chinese names shown in the web app: checks (named by the rubric part that scores them), roles, statuses."""
from __future__ import annotations

from functools import lru_cache

ROLE_CN = {"problem": "问题", "remedy": "改进措施", "other": "其他"}
STATUS_CN = {"done": "已采取", "planned": "计划", None: ""}
CHECK_STATUS_CN = {"pass": "通过", "fail": "不通过", "uncertain": "无法确定", "not_assessable": "无法评估"}
ITEM_STATUS_CN = {"queued": "排队中", "running": "评分中", "ok": "已完成", "error": "无法读取"}
BATCH_STATUS_CN = {"queued": "排队中", "running": "评分中", "done": "已完成", "failed": "失败"}
ROLE_NAMES_CN = {"viewer": "查看者", "reviewer": "复核员", "admin": "管理员"}
TABLE_CN = {"t2": "表二 主动公开", "t3": "表三 依申请公开", "t4": "表四 复议诉讼"}
# check families the rubric does not name by itself
FALLBACK = {"t2.": "表二数据", "t3.": "表三数据", "t4.": "表四数据", "text_table": "正文与表格一致",
            "sections.": "六部分结构", "cross_year": "跨年度数据衔接", "timeliness": "按时发布",
            "fee_statement": "信息处理费说明", "format_version": "使用当年规定格式", "copying.": "雷同", "tables.": "表格识别",
            "last_year.": "上年度问题整改", "cap": "封顶（超出该项满分的扣分退回）"}


@lru_cache(maxsize=1)
def _rubric_names() -> list[tuple[str, str, bool]]:
    from inference.scoring import default_rubric

    out = []
    for part in default_rubric().parts:
        rule = part["rule"]
        for i in rule.get("ids", []) or []:
            out.append((i, part["name"], True))
        for p in rule.get("prefix", []) or []:
            out.append((p, part["name"], False))
    return out


def check_name(check_id: str | None) -> str:
    """'t3.identity.total' -> '表三 总量勾稽（一+二=三+四）'."""
    if not check_id:
        return "综合评价"
    for key, name, exact in _rubric_names():
        if (exact and check_id == key) or (not exact and (check_id.startswith(key) or check_id == key.rstrip("."))):
            return name
    for prefix, name in FALLBACK.items():
        if check_id.startswith(prefix):
            return name
    return check_id


def category_label(key: str) -> str:
    from inference.rules import category_name

    return f"{key} {category_name(key)}"
