"""Issue 12, part 3: every sub-command's --help prints and exits 0 (an unescaped % in a help string crashed
`nianbao score --help`)."""
from __future__ import annotations

import pytest

from inference.cli import COMMANDS, main


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_help_of_every_command(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip()
