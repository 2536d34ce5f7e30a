"""Import annotation-tool exports into the project format (see training/corpus.py).

Label naming convention (ANNOTATION.md §8, data/labelstudio_config.xml):

* span labels: ``problem:P01`` … ``problem:P12``, ``remedy:R01`` … ``remedy:R12``, ``other``.
  A span with several categories carries several labels of the same role
  (``problem:P01`` + ``problem:P03``).
* attribute flags: ``specific`` (absent = generic; ``generic`` may be given explicitly),
  ``status:done`` / ``status:planned`` (remedies only).

Label Studio (JSON export, a list of tasks)::

    {"id": 7, "data": {"text": "...", "pid": "ls-0007", "year": 2023, "level": "县", "section": 5,
                       "style": "enumeration"},
     "annotations": [{"was_cancelled": false, "result": [
        {"id": "r1", "type": "labels", "from_name": "label", "to_name": "text",
         "value": {"start": 0, "end": 9, "labels": ["problem:P02"]}},
        {"id": "r1", "type": "choices", "from_name": "specific", "to_name": "text",
         "value": {"start": 0, "end": 9, "choices": ["specific"]}},
        {"id": "r2", "type": "choices", "from_name": "status", ...
         "value": {"choices": ["status:done"]}}]}]}

Per-region choices are joined to their region by the result ``id`` (Label Studio gives the region
and its per-region choices the same id). The n-th non-cancelled annotation of a task is used
(``annotation_index``, default 0; use 1 for the second annotator when exporting double labelling).

doccano (JSONL, one document per line): ``{"text", "label": [[start, end, "problem:P02"], …]}``
(sequence-labelling export) or ``{"text", "entities": [{"start_offset", "end_offset", "label"}]}``
(newer export). Several entries with the same [start, end] form one statement; a single label may
also join several names with ``|`` (``"remedy:R02|specific|status:done"``). Passage metadata
(``pid``/``year``/``level``/``section``/``style``/``origin``) is read from the record or its ``meta``.

Nothing is repaired: spans are taken exactly as exported, and every problem comes back as an
`Issue`; callers validate the records with `corpus.validate_record` before writing them.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from training.corpus import Issue, load_taxonomy, read_jsonl

META_FIELDS = ("year", "level", "section", "style", "origin", "source")


def parse_labels(names: list[str], where: str, path: str, line: int) -> tuple[dict[str, Any], list[Issue]]:
    """Label names of one span -> {role, categories, specific, status}."""
    tax = load_taxonomy()
    issues: list[Issue] = []
    roles: set[str] = set()
    cats: list[str] = []
    specific = False
    status = None
    for raw in names:
        for name in str(raw).split("|"):
            name = name.strip()
            if not name:
                continue
            if name == "other":
                roles.add("other")
            elif name in ("specific", "generic"):
                specific = name == "specific"
            elif name.startswith("status:") or name in tax.statuses:
                status = name.split(":", 1)[-1]
            elif ":" in name and name.split(":", 1)[0] in ("problem", "remedy"):
                role, key = name.split(":", 1)
                roles.add(role)
                if key not in cats:
                    cats.append(key)
            else:
                issues.append(Issue(path, line, where, "unknown_label", f"未知标签：{name!r}"))
    if len(roles) > 1:
        issues.append(Issue(path, line, where, "role_conflict", f"同一范围有多个角色：{sorted(roles)}"))
    role = next(iter(roles)) if len(roles) == 1 else None
    if role is None and not issues:
        issues.append(Issue(path, line, where, "unknown_role", f"范围没有角色标签（problem:/remedy:/other）：{names}"))
    return {"role": role, "categories": sorted(cats), "specific": specific, "status": status}, issues


def _record(pid: str, text: str, meta: dict[str, Any], defaults: dict[str, Any],
            statements: list[dict[str, Any]]) -> dict[str, Any]:
    rec: dict[str, Any] = {"id": pid, "origin": meta.get("origin", defaults.get("origin", "authored"))}
    for k in ("year", "level", "section"):
        if k in meta:
            rec[k] = meta[k]
        elif k in defaults:
            rec[k] = defaults[k]
    rec["text"] = text
    if "style" in meta:
        rec["style"] = meta["style"]
    elif "style" in defaults:
        rec["style"] = defaults["style"]
    rec["statements"] = sorted(statements, key=_span_key)
    if "source" in meta:
        rec["source"] = meta["source"]
    return rec


def _span_key(st: dict[str, Any]) -> tuple[int, int]:
    s, e = st.get("start"), st.get("end")
    return (s if isinstance(s, int) else -1, e if isinstance(e, int) else -1)


def import_labelstudio(path: str | Path, defaults: dict[str, Any] | None = None, id_prefix: str = "",
                       annotation_index: int = 0) -> tuple[list[dict[str, Any]], list[Issue]]:
    """Label Studio JSON export -> (project records, issues). `line` in issues = task number (1-based)."""
    defaults = defaults or {}
    sp = str(path)
    try:
        tasks = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [], [Issue(sp, 0, "(file)", "bad_json", f"无法读取 Label Studio 导出：{exc}")]
    if not isinstance(tasks, list):
        return [], [Issue(sp, 0, "(file)", "bad_export", "Label Studio 导出应为任务列表")]
    records: list[dict[str, Any]] = []
    issues: list[Issue] = []
    for n, task in enumerate(tasks, 1):
        data = task.get("data", {}) if isinstance(task, dict) else {}
        text = data.get("text")
        if not isinstance(text, str):
            issues.append(Issue(sp, n, "data.text", "missing_field", "任务缺少 data.text"))
            continue
        anns = [a for a in task.get("annotations", []) if not a.get("was_cancelled")]
        if len(anns) <= annotation_index:
            issues.append(Issue(sp, n, "annotations", "no_annotation",
                                f"任务没有第 {annotation_index + 1} 份有效标注"))
            continue
        regions: dict[str, dict[str, Any]] = {}
        for k, r in enumerate(anns[annotation_index].get("result", [])):
            rid = str(r.get("id", f"#{k}"))
            v = r.get("value", {})
            reg = regions.setdefault(rid, {"names": [], "start": None, "end": None, "k": k})
            if r.get("type") == "labels":
                reg["start"], reg["end"] = v.get("start"), v.get("end")
                reg["names"] += list(v.get("labels", []))
            elif r.get("type") == "choices":
                choices = list(v.get("choices", []))
                if r.get("from_name") == "status":
                    choices = [c if c.startswith("status:") else f"status:{c}" for c in choices]
                reg["names"] += choices
            else:
                issues.append(Issue(sp, n, f"result[{k}].type", "unsupported_result",
                                    f"不支持的结果类型：{r.get('type')!r}"))
        statements = []
        for reg in regions.values():
            where = f"result[{reg['k']}]"
            if reg["start"] is None:
                issues.append(Issue(sp, n, where, "choice_without_region", f"属性选择 {reg['names']} 没有对应的文本范围"))
                continue
            labels, errs = parse_labels(reg["names"], where, sp, n)
            issues.extend(errs)
            statements.append({"start": reg["start"], "end": reg["end"], **labels})
        pid = data.get("pid") or f"{id_prefix}{task.get('id', n)}"
        meta = {k: data[k] for k in META_FIELDS if k in data}
        records.append(_record(str(pid), text, meta, defaults, statements))
    return records, issues


def import_doccano(path: str | Path, defaults: dict[str, Any] | None = None,
                   id_prefix: str = "") -> tuple[list[dict[str, Any]], list[Issue]]:
    """doccano JSONL export -> (project records, issues)."""
    defaults = defaults or {}
    sp = str(path)
    records: list[dict[str, Any]] = []
    issues: list[Issue] = []
    for line, obj, err in read_jsonl(path):
        if err is not None:
            issues.append(Issue(sp, line, "(json)", "bad_json", f"JSON 解析失败：{err}"))
            continue
        text = obj.get("text") if isinstance(obj, dict) else None
        if not isinstance(text, str):
            issues.append(Issue(sp, line, "text", "missing_field", "缺少 text"))
            continue
        spans: dict[tuple[Any, Any], list[str]] = {}
        first: dict[tuple[Any, Any], str] = {}
        if "entities" in obj:
            for k, ent in enumerate(obj["entities"]):
                key = (ent.get("start_offset"), ent.get("end_offset"))
                spans.setdefault(key, []).append(ent.get("label", ""))
                first.setdefault(key, f"entities[{k}]")
        else:
            for k, item in enumerate(obj.get("label", obj.get("labels", []))):
                if not (isinstance(item, (list, tuple)) and len(item) == 3):
                    issues.append(Issue(sp, line, f"label[{k}]", "bad_label", f"应为 [start, end, label]：{item!r}"))
                    continue
                key = (item[0], item[1])
                spans.setdefault(key, []).append(item[2])
                first.setdefault(key, f"label[{k}]")
        statements = []
        for (s, e), names in spans.items():
            labels, errs = parse_labels(names, first[(s, e)], sp, line)
            issues.extend(errs)
            statements.append({"start": s, "end": e, **labels})
        meta = dict(obj.get("meta") or {})
        meta.update({k: obj[k] for k in META_FIELDS if k in obj})
        pid = obj.get("pid") or meta.get("pid") or f"{id_prefix}{obj.get('id', line)}"
        records.append(_record(str(pid), text, meta, defaults, statements))
    return records, issues
