"""Issue 11 for policy files: nothing a hostile or broken file does gets past a located problem.

Alias bombs, deep nesting, huge files, devices and pipes are refused within a second or two under
a memory limit; a few hundred seeded mutations of every shipped policy end in the normal result;
an implausible amount is a warning that the policy's plausible_max can silence.
"""
from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from swtalent.errors import CATALOGUE, Issue
from swtalent.policy import validate_policy
from swtalent.policy.yamlsource import MAX_ALIASES, MAX_BYTES, MAX_DEPTH, MAX_NODES

from .conftest import CHUZHOU, ROOT

SHIPPED = sorted((ROOT / "policies").glob("*.yaml"))
GOOD = CHUZHOU.read_text(encoding="utf-8")


def billion_laughs() -> str:
    """Ten lists of ten aliases, each of the list before: 10**10 values from 600 bytes."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    return "\n".join(lines) + "\n"


def deep_flow(levels: int) -> str:
    return "a: " + "[" * levels + "]" * levels + "\n"


def deep_block(levels: int) -> str:
    return "".join("  " * i + f"k{i}:\n" for i in range(levels)) + "  " * levels + "x: 1\n"


def many_aliases(count: int) -> str:
    return "a: &a 1\nb: [" + ", ".join(["*a"] * count) + "]\n"


# Each refusal of the YAML reader, by the file that provokes it.
BOMBS = {
    "policy.too-many-nodes": billion_laughs(),
    "policy.too-deep": deep_flow(100_000),
    "policy.too-many-aliases": many_aliases(MAX_ALIASES + 1),
    "policy.alias-loop": "a: &a [1, *a]\n",
}


# The refusals of the file reader, each provoked below (tests/test_policy.py counts them as covered).
LIMIT_CODES = {*BOMBS, "policy.not-a-file", "policy.too-large"}


def test_every_limit_has_a_code_and_a_fixture():
    from swtalent.policy import yamlsource

    assert {c for c in CATALOGUE if c.startswith("policy.")} >= LIMIT_CODES
    source = Path(yamlsource.__file__).read_text(encoding="utf-8")
    assert {c for c in CATALOGUE if f'"{c}"' in source} - {"policy.not-found", "policy.unreadable",
                                                             "policy.yaml-syntax", "policy.duplicate-key"} == LIMIT_CODES


def codes(path) -> list[str]:
    policy, issues = validate_policy(path)
    assert policy is None
    return [i.code for i in issues]


@pytest.mark.parametrize("code", sorted(BOMBS))
def test_yaml_limits_are_refused_with_their_code_and_place(tmp_path, code):
    path = tmp_path / "bomb.yaml"
    path.write_text(BOMBS[code], encoding="utf-8")
    start = time.monotonic()
    policy, issues = validate_policy(path)
    assert time.monotonic() - start < 2
    assert policy is None and [i.code for i in issues] == [code]
    loc = issues[0].location
    assert loc.file == str(path) and loc.line >= 1 and loc.col >= 1
    assert issues[0].render("en").startswith(f"{path}:{loc.line}:")


def test_block_nesting_is_refused_as_deep_as_flow_nesting(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text(deep_block(600), encoding="utf-8")
    (issue,) = validate_policy(path)[1]
    assert (issue.code, issue.location.line) == ("policy.too-deep", MAX_DEPTH + 1)
    assert str(MAX_DEPTH) in issue.message("zh") and str(MAX_DEPTH) in issue.message("en")


def test_limits_are_exact(tmp_path):
    """At the limit the file is read (and judged as a policy); one past it, refused."""
    path = tmp_path / "edge.yaml"
    cases = [(deep_flow(MAX_DEPTH - 1), deep_flow(MAX_DEPTH), "policy.too-deep"),  # `a:` is a level too
             (many_aliases(MAX_ALIASES), many_aliases(MAX_ALIASES + 1), "policy.too-many-aliases"),
             # the root mapping, key b and its list: 3 nodes, then the list's items
             ("b: [" + "1, " * (MAX_NODES - 3) + "]\n", "b: [" + "1, " * (MAX_NODES - 2) + "]\n",
              "policy.too-many-nodes")]
    for at, past, code in cases:
        path.write_text(at, encoding="utf-8")
        assert code not in codes(path)
        path.write_text(past, encoding="utf-8")
        assert codes(path) == [code]


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.yaml"
    padded = GOOD + "#" * (MAX_BYTES - len(GOOD.encode("utf-8")) - 1) + "\n"
    path.write_text(padded, encoding="utf-8")
    assert path.stat().st_size == MAX_BYTES
    assert validate_policy(path)[0] is not None  # exactly at the limit: an ordinary policy
    with path.open("a", encoding="utf-8") as f:
        f.write("\n")
    (issue,) = validate_policy(path)[1]
    assert issue.code == "policy.too-large"
    assert f"{MAX_BYTES:,}" in issue.message("en") and f"{MAX_BYTES + 1:,}" in issue.message("zh")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_pipe_is_refused_at_once_not_waited_on(tmp_path):
    fifo = tmp_path / "policy.yaml"
    os.mkfifo(fifo)
    start = time.monotonic()
    assert codes(fifo) == ["policy.not-a-file"]  # opening it for reading would wait for a writer
    assert time.monotonic() - start < 1


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_devices_and_folders_are_refused(tmp_path):
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    for path, kind in ((Path("/dev/zero"), "a device"), (link, "a device"), (tmp_path, "a folder")):
        (issue,) = validate_policy(path)[1]
        assert issue.code == "policy.not-a-file" and kind in issue.message("en"), issue.render("en")


def test_numbers_beyond_reason_are_refused_at_their_line(tmp_path):
    """quota: 1.0e+999999999 would otherwise become an integer of a billion digits (minutes, gigabytes)."""
    text = (ROOT / "policies" / "jiujiang.yaml").read_text(encoding="utf-8")
    assert "quota: " in text
    path = tmp_path / "huge.yaml"
    for number in ("1.0e+999999999", "9" * 5000, "-1.0e+999999999", "1.0e-999999999", "1e999999999"):
        path.write_text(text.replace("quota: ", f"quota: {number} #", 1), encoding="utf-8")
        start = time.monotonic()
        policy, issues = validate_policy(path)
        assert time.monotonic() - start < 2
        assert policy is None and [i.code for i in issues] == ["policy.invalid-value"], [i.render() for i in issues]
        assert issues[0].location.path == "rules[0].quota"


def _limited_cli(path: Path) -> tuple[subprocess.CompletedProcess, float]:
    """`swtalent validate` in a child limited to 1 GiB of address space and 20 seconds."""
    resource = pytest.importorskip("resource")

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "swtalent.cli", "validate", str(path)], capture_output=True,
                          text=True, timeout=20, preexec_fn=limit, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    return done, time.monotonic() - start


@pytest.mark.skipif(sys.platform == "win32", reason="resource limits are POSIX")
def test_bombs_through_the_real_command_end_in_exit_1_quickly(tmp_path):
    files = {code: tmp_path / f"{code}.yaml" for code in BOMBS}
    for code, path in files.items():
        path.write_text(BOMBS[code], encoding="utf-8")
    files["policy.too-deep (block)"] = tmp_path / "block.yaml"
    files["policy.too-deep (block)"].write_text(deep_block(2000), encoding="utf-8")
    files["policy.not-a-file"] = Path("/dev/zero")
    for code, path in files.items():
        done, seconds = _limited_cli(path)
        output = done.stdout + done.stderr
        assert done.returncode == 1, (code, output)
        assert "Traceback" not in output and "内部错误" not in output, output
        assert code.split(" ")[0] in CATALOGUE and str(path) in output
        assert seconds < 10, (code, seconds)  # interpreter start included; the check itself takes well under 1 s


# --- seeded mutations of the shipped policies -----------------------------------------------------

VALUES = ["文本", "[1, 2]", "{a: 1}", "1.0e+999999999", "9" * 400, "-5", "-0.001", "2022-02-30", "2021-01-01", "~", "",
          "yes", ".inf", ".nan", "0x1F", "1:30", "0.001", "'1000'", "!!python/object/apply:os.system ['true']",
          "!!binary aGk=", "!!set {a}", "*nowhere", "&x 1", "[", "{", "'", '"', "|", ">", "%", "@", "`", "\t1", "\x00",
          "2022-01-01T10:00:00", "1_000", "1e2", "0o17", "1000.5", "100000000.01", "null", "[[[[]]]]", "? a"]


HUGE = ["1.0e+999999999", "-1.0e+999999999", "9" * 5000, "1.0e-999999999", "1e400", "-1", "100000000", "0", "1.0e+31"]


def mutate(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    i = rng.randrange(len(lines))
    op = rng.randrange(9)
    line = lines[i]
    if op == 0:
        del lines[i]
    elif op == 1:
        lines.insert(i, line)
    elif op == 2 and ": " in line:  # a key's value swapped for another type
        key = line.split(": ", 1)[0]
        lines[i] = f"{key}: {rng.choice(VALUES)}"
    elif op == 3 and line.lstrip().startswith("- "):  # a list item swapped
        lines[i] = line[:line.index("- ") + 2] + rng.choice(VALUES)
    elif op == 4:  # indentation broken
        lines[i] = line[rng.randint(1, 3):] if line.startswith(" ") and rng.random() < 0.5 else " " * rng.randint(1, 3) + line
    elif op == 5 and (": " in line or line.endswith(":")):  # an anchor, and an alias to it a little further
        lines[i] = line.replace(": ", ": &m ", 1) if ": " in line else line + " &m"  # (inside it, maybe)
        j = min(len(lines) - 1, i + rng.randint(1, 6))
        if ": " in lines[j]:
            lines[j] = lines[j].split(": ", 1)[0] + ": *m"
    elif op == 6:
        return text[:rng.randrange(len(text))]  # truncated
    elif op == 7:  # a stray character
        at = rng.randrange(len(line) + 1)
        lines[i] = line[:at] + rng.choice(":-[]{}'\"&*!|>#%@`?,\t") + line[at:]
    elif op == 8 and re.search(r": -?[0-9]", text):  # a number made absurd (a count, a year, a month, an amount)
        k = rng.choice([k for k, x in enumerate(lines) if re.search(r": -?[0-9]", x)])
        lines[k] = re.sub(r": -?[0-9]+", lambda m: ": " + rng.choice(HUGE), lines[k], count=1)
    return "\n".join(lines)


def _normal(policy, issues: list[Issue], path: Path) -> None:
    """What the command maps to exit 0 or 1: the policy exactly when no error, and every issue
    a catalogue entry at the file that renders in both languages."""
    assert isinstance(issues, list) and all(isinstance(i, Issue) and i.code in CATALOGUE for i in issues)
    has_errors = any(i.severity == "error" for i in issues)
    assert (policy is None) == has_errors
    for issue in issues:
        assert issue.location.file == str(path)
        issue.render("zh"), issue.render("en"), issue.as_dict("en")


@pytest.mark.parametrize("shipped", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_mutated_policies_give_the_normal_result(tmp_path, shipped):
    text = shipped.read_text(encoding="utf-8")
    rng = random.Random(f"issue-11-{shipped.stem}")
    path = tmp_path / shipped.name
    for n in range(60):
        mutated = text
        for _ in range(rng.choice((1, 1, 2, 3))):
            mutated = mutate(mutated, rng)
        path.write_text(mutated, encoding="utf-8")
        try:
            _normal(*validate_policy(path), path)
        except Exception as exc:  # pragma: no cover - a failure names the mutation that caused it
            raise AssertionError(f"mutation {n} of {shipped.name} raised {exc!r}:\n{mutated}") from exc


# --- implausible amounts ----------------------------------------------------------------------------

def implausible(path: Path) -> list[Issue]:
    policy, issues = validate_policy(path)
    assert policy is not None, [i.render("en") for i in issues]
    return [i for i in issues if i.code == "policy.amount-implausible"]


def line_col(text: str, needle: str) -> tuple[int, int]:
    pos = text.index(needle)
    return text.count("\n", 0, pos) + 1, pos - (text.rfind("\n", 0, pos) + 1) + 1


def test_shipped_policies_have_no_implausible_amount():
    for path in SHIPPED:
        assert implausible(path) == [], path


def monthly_senior(value: str) -> str:
    """Chuzhou with its senior monthly rate (the last amount in the file) changed."""
    head, tail = GOOD.rsplit("value: 1000}", 1)
    assert "kind: monthly" in head
    return f"{head}value: {value}}}{tail}"


def test_an_implausible_monthly_rate_warns_at_the_amount(tmp_path):
    text = monthly_senior("100000000")
    path = tmp_path / "typo.yaml"
    path.write_text(text, encoding="utf-8")
    (issue,) = implausible(path)
    assert issue.severity == "warning"
    assert (issue.location.line, issue.location.col) == line_col(text, "100000000}")
    assert issue.location.path.endswith(".value") and "rules[1]" in issue.location.path
    assert "100,000,000" in issue.message("zh") and "10,000" in issue.message("en") and "monthly" in issue.hint("en")


def test_plausible_max_widens_the_bound_for_its_kind_only(tmp_path):
    text = monthly_senior("20000").replace("value: 3000}", "value: 60000}", 1)
    path = tmp_path / "wide.yaml"
    path.write_text(text, encoding="utf-8")
    assert [i.location.path.split(".")[0] for i in implausible(path)] == ["rules[0]", "rules[1]"]
    path.write_text(text.replace("\nlevels:", "\nplausible_max: {monthly: 20000}\nlevels:", 1), encoding="utf-8")
    assert [i.location.path.split(".")[0] for i in implausible(path)] == ["rules[0]"]  # one_off still bound
    path.write_text(text.replace("\nlevels:", "\nplausible_max: {montly: 20000}\nlevels:", 1), encoding="utf-8")
    policy, issues = validate_policy(path)
    assert policy is None and [i.code for i in issues] == ["policy.unknown-key"]
    assert "monthly" in issues[0].render("en")  # did you mean


@pytest.mark.parametrize("file,old,new,kind", [
    ("jiujiang.yaml", "value: 10000}", "value: 100001}", "award"),
    ("longhua.yaml", "value: 20000}", "value: 100001}", "yearly"),
    ("jinan.yaml", "value: 1000}", "value: 10001}", "title_allowance"),
    ("weihai.yaml", "lifetime_cap: 2000", "lifetime_cap: 50001", "one_off"),
])
def test_each_kind_has_its_bound(tmp_path, file, old, new, kind):
    text = (ROOT / "policies" / file).read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    path = tmp_path / file
    path.write_text(text, encoding="utf-8")
    (issue,) = implausible(path)
    assert f"with {kind} under" in issue.hint("en")
    assert (issue.location.line, issue.location.col) == line_col(text, new.split(" ")[-1].rstrip("}"))
