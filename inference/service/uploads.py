"""Receiving files: size and count limits, safe zip expansion, generated names.

No name from a request ever reaches the filesystem: every file is written as `<random hex><ext>` inside the
batch's uploads folder, where `<ext>` is one of the loaders' extensions (lower-cased), and the name the user
gave is kept only for display. Zip members are never extracted by name: each is streamed into a generated
file, with the declared and the actual size both checked (a zip bomb stops at the limit, not at the disk).
"""
from __future__ import annotations

import re
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from inference.service.errors import error

CHUNK = 1 << 16
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass
class Limits:
    max_file_bytes: int = 20 * 1024 * 1024  # the loaders' own limit (inference/loaders.py MAX_BYTES)
    max_files: int = 500  # files per request, zip members included
    max_zip_bytes: int = 300 * 1024 * 1024  # total uncompressed size of one zip
    max_zip_ratio: int = 100  # uncompressed / compressed size of one member
    max_request_bytes: int = 512 * 1024 * 1024


@dataclass
class Saved:
    name: str  # display name (from the request; never used as a path)
    stored: str  # generated file name in the uploads folder


def size_cn(n: int) -> str:
    return f"{n / 1048576:.3g} MB" if n >= 1048576 else f"{n / 1024:.3g} KB"


def supported() -> set[str]:
    from inference.loaders import supported_extensions

    return set(supported_extensions())


def display_name(raw: str | None) -> str:
    """The last path component of a client-supplied name, without control characters, at most 120 chars."""
    name = (raw or "").replace("\\", "/").split("/")[-1]
    name = _CONTROL.sub("", name).strip() or "未命名"
    return name[-120:]


def extension(name: str) -> str:
    return PurePosixPath(name.lower()).suffix


def generated_name(ext: str) -> str:
    if ext not in supported() and ext != ".zip":
        raise error("unsupported_type")
    return secrets.token_hex(12) + ext


def copy_limited(src: BinaryIO, dest: Path, limit: int, code: str = "file_too_large", what: str = "") -> int:
    """Stream `src` into `dest`; past `limit` bytes the partial file is removed and a 413 raised."""
    n = 0
    try:
        with dest.open("xb") as out:
            while True:
                block = src.read(CHUNK)
                if not block:
                    break
                n += len(block)
                if n > limit:
                    raise error(code, f"{what or '文件'}超过 {size_cn(limit)} 上限")
                out.write(block)
    except BaseException:
        dest.unlink(missing_ok=True)
        raise
    return n


def save_stream(src: BinaryIO, filename: str | None, folder: Path, limits: Limits) -> list[Saved]:
    """Save one uploaded file (a report, or a zip of reports) into `folder`. Returns what was saved."""
    name = display_name(filename)
    ext = extension(name)
    if ext == ".zip":
        return _save_zip(src, name, folder, limits)
    if ext not in supported():
        raise error("unsupported_type", f"不支持的文件类型：{name}（支持 {'、'.join(sorted(supported()))} 和 .zip）")
    stored = generated_name(ext)
    copy_limited(src, folder / stored, limits.max_file_bytes, what=f"文件“{name}”")
    return [Saved(name, stored)]


def _save_zip(src: BinaryIO, name: str, folder: Path, limits: Limits) -> list[Saved]:
    tmp = folder / (secrets.token_hex(12) + ".zip.part")
    copy_limited(src, tmp, limits.max_file_bytes * 5, what=f"压缩包“{name}”")
    saved: list[Saved] = []
    try:
        try:
            archive = zipfile.ZipFile(tmp)
        except (zipfile.BadZipFile, OSError) as exc:
            raise error("bad_zip", f"压缩包“{name}”无法读取：{type(exc).__name__}") from exc
        with archive:
            members = []
            for info in archive.infolist():
                if info.is_dir() or info.filename.startswith("__MACOSX/"):
                    continue
                member = display_name(_decode_name(info))
                if extension(member) not in supported() or member.startswith("."):
                    continue  # nested archives, images, symlinks' odd names ...: not reports
                if info.flag_bits & 0x1:
                    raise error("bad_zip", f"压缩包“{name}”中的文件已加密，无法读取")
                members.append((info, member))
            if len(members) > limits.max_files:
                raise error("too_many_files", f"压缩包“{name}”含 {len(members)} 个报告文件，上限 {limits.max_files} 个")
            declared = sum(i.file_size for i, _ in members)
            if declared > limits.max_zip_bytes:
                raise error("zip_too_large", f"压缩包“{name}”解压后约 {size_cn(declared)}，上限 "
                                             f"{size_cn(limits.max_zip_bytes)}")
            total = 0
            for info, member in members:
                if info.file_size > limits.max_file_bytes:
                    raise error("file_too_large", f"压缩包中的“{member}”超过 {size_cn(limits.max_file_bytes)} 上限")
                if info.compress_size and info.file_size / info.compress_size > limits.max_zip_ratio and info.file_size > 1 << 20:
                    raise error("zip_too_large", f"压缩包中的“{member}”压缩比异常（{info.file_size // info.compress_size}:1），疑似压缩炸弹")
                stored = generated_name(extension(member))
                try:
                    with archive.open(info) as fh:
                        # the declared size may lie: the actual bytes are limited too
                        total += copy_limited(fh, folder / stored, min(limits.max_file_bytes, info.file_size),
                                              code="zip_too_large", what=f"压缩包中的“{member}”")
                except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError) as exc:
                    raise error("bad_zip", f"压缩包中的“{member}”无法解压：{type(exc).__name__}") from exc
                if total > limits.max_zip_bytes:
                    raise error("zip_too_large")
                saved.append(Saved(member, stored))
    except BaseException:
        for s in saved:
            (folder / s.stored).unlink(missing_ok=True)
        raise
    finally:
        tmp.unlink(missing_ok=True)
    return saved


def _decode_name(info: zipfile.ZipInfo) -> str:
    """Zip files made on Chinese Windows store GBK names without the UTF-8 flag."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename
