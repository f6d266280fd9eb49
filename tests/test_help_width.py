"""`--help` of every command and subcommand fits an 80-column terminal (issue 13, item 9), measured
as a terminal shows it: a Chinese character (East Asian wide or full-width) takes two columns."""
from __future__ import annotations

import unicodedata

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from swtalent.cli import app


def display_width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1
               for ch in line)


def _commands(command, path=()):
    yield path
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _commands(sub, (*path, name))


COMMANDS = list(_commands(get_command(app)))


def test_every_command_is_listed():
    assert {"compute", "check", "explain", "diff", "validate", "schema", "new-policy", "test"} <= {
        p[0] for p in COMMANDS if p}
    assert {("ledger", n) for n in ("list", "show", "void", "return", "import", "export")} <= set(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "swtalent")
def test_help_fits_80_columns(path):
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "80", "LINES": "50"})
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output and len(result.output.splitlines()) > 3
    wide = [(display_width(line), line) for line in result.output.splitlines() if display_width(line) > 80]
    assert not wide, "\n".join(f"{w}: {line}" for w, line in wide)
    # Fitting by cutting is no fit: rich ends a line it had to cut with …, which no help text holds.
    cut = [line for line in result.output.splitlines() if "…" in line]
    assert not cut, "\n".join(cut)


def test_the_measure_counts_chinese_as_two_columns():
    assert display_width("证件号=身份证号") == 15 and display_width("abc") == 3 and display_width("２０２３") == 8
