"""Usage errors in the clerk's language: swtalent's own (errors.UsageError) and the ones the command
line parser raises before a command runs (a missing --period, a misspelt option, --max-rows abc),
printed the same way and mapped to exit code 2."""
from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Annotated, TextIO

import typer
from typer._click import exceptions as click_exc
from typer.core import TyperGroup

from .errors import UsageError


class Lang(str, Enum):
    """The reader's language: every command takes --lang zh (the default) or --lang en."""

    zh = "zh"
    en = "en"


LangOpt = Annotated[Lang, typer.Option("--lang", help="zh (default) or en")]
# CSV outputs begin with a UTF-8 byte-order mark: without it Excel in China takes them for GBK and
# shows the names garbled. A program reading them may ask for plain UTF-8.
NoCsvBomOpt = Annotated[bool, typer.Option("--no-csv-bom", help="CSV in plain UTF-8, for programs: without the "
                                           "byte-order mark Excel needs to show Chinese")]


def open_csv(path: Path, bom: bool) -> TextIO:
    """A CSV output to write: UTF-8 with a byte-order mark (for Excel), or without. The mark is
    written here, once: the utf-8-sig codec is Python code that runs for every row written."""
    fh = path.open("w", encoding="utf-8", newline="")
    if bom:
        fh.write("\ufeff")
    return fh


def argv_lang(args: Sequence[str]) -> str:
    """The --lang a command line asks for (the last one wins), zh unless it says en."""
    lang = "zh"
    for i, arg in enumerate(args):
        if arg == "--":
            break
        value = args[i + 1] if arg == "--lang" and i + 1 < len(args) else arg[7:] if arg.startswith("--lang=") else None
        if value is not None:
            lang = "en" if value.strip().lower() == "en" else "zh"
    return lang


def report(exc: UsageError, lang: str, as_json: bool = False) -> None:
    """Print a usage error: on stdout as JSON too when --json asked for it, on stderr always."""
    from rich.console import Console
    from rich.markup import escape

    text = exc.text(lang)
    if as_json:
        typer.echo(json.dumps({"ok": False, "usage": text}, ensure_ascii=False, indent=1))
    head = "[red]用法错误：[/]" if lang == "zh" else "[red]usage error:[/] "
    Console(stderr=True).print(f"{head}{escape(text)}",
                               highlight=False, soft_wrap=True)


def translate(exc: click_exc.UsageError, args: Sequence[str]) -> UsageError:
    """The parser's English message as a swtalent UsageError, read from the exception's type and fields."""
    if isinstance(exc, click_exc.MissingParameter):
        return _missing(exc)
    if isinstance(exc, click_exc.BadParameter):
        return _bad_value(exc, args)
    if isinstance(exc, click_exc.NoSuchOption):
        best = list(exc.possibilities or ())[:1]
        return UsageError(f"没有这个选项：{exc.option_name}" + (f"（是不是 {best[0]}？）" if best else ""),
                          f"no such option: {exc.option_name}" + (f" (did you mean {best[0]}?)" if best else ""))
    if isinstance(exc, click_exc.BadOptionUsage):
        opt = exc.option_name
        if "does not take a value" in exc.message:
            return UsageError(f"选项 {opt} 不带取值：去掉 = 及其后的内容", f"option {opt} does not take a value")
        if "requires" in exc.message:
            return UsageError(f"选项 {opt} 后面缺少取值", f"option {opt} needs a value after it")
    message = exc.message
    if m := re.match(r"No such command '(.*?)'\.(.*)", message, re.DOTALL):
        close = re.findall(r"'(.*?)'", m.group(2))
        return UsageError(f"没有这个命令：{m.group(1)}" + (f"（是不是 {' 或 '.join(close)}？）" if close else ""),
                          f"no such command: {m.group(1)}" + (f" (did you mean {' or '.join(close)}?)" if close else ""))
    if m := re.match(r"Got unexpected extra argument(?:\(s\)|s)? \((.*)\)", message, re.DOTALL):
        return UsageError(f"多余的参数：{m.group(1)}（含空格的路径请加引号）",
                          f"unexpected extra argument(s): {m.group(1)} (quote a path with spaces)")
    if message.startswith("Missing command"):
        return UsageError("缺少命令，如 swtalent compute；swtalent --help 列出全部命令",
                          "missing command, such as swtalent compute; swtalent --help lists them")
    return UsageError(f"命令行有误：{message}", message)


def _with_help(err: UsageError, exc: click_exc.UsageError) -> UsageError:
    """The message, and where to read how the command is written."""
    ctx = getattr(exc, "ctx", None)
    if ctx is None or not ctx.command_path:
        return err
    return UsageError(f"{err.zh}\n  {ctx.command_path} --help 列出全部选项",
                      f"{err.en}\n  {ctx.command_path} --help lists every option")


def _name(param) -> tuple[str, str]:
    """How a parameter is written on the command line: --period, or ROSTER for an argument."""
    opts = [o for o in getattr(param, "opts", ()) if o.startswith("--")] or list(getattr(param, "opts", ()))
    if getattr(param, "param_type_name", "") == "argument" or not opts:
        return "argument", (param.name or "").upper()
    return "option", opts[0]


def _missing(exc: click_exc.MissingParameter) -> UsageError:
    if exc.param is None:
        return UsageError(f"命令行缺少必需的内容：{exc.param_hint or ''}", exc.format_message())
    kind, name = _name(exc.param)
    if kind == "argument":
        return UsageError(f"缺少参数 {name}", f"missing argument {name}")
    return UsageError(f"缺少选项 {name}", f"missing option {name}")


def _given(param, args: Sequence[str]) -> str | None:
    """The value given for an option, as typed (the last one, as the parser keeps)."""
    opts = tuple(getattr(param, "opts", ())) + tuple(getattr(param, "secondary_opts", ()))
    found = None
    for i, arg in enumerate(args):
        if arg in opts and i + 1 < len(args):
            found = args[i + 1]
        elif "=" in arg and arg.split("=", 1)[0] in opts:
            found = arg.split("=", 1)[1]
    return found


def _bad_value(exc: click_exc.BadParameter, args: Sequence[str]) -> UsageError:
    if exc.param is None:
        return UsageError(f"取值无效：{exc.message}", exc.format_message())
    _, name = _name(exc.param)
    given = _given(exc.param, args)
    got_zh, got_en = (f"「{given}」", f" '{given}'") if given is not None else ("", "")
    message = exc.message
    if m := re.search(r"greater than or equal to (\S+)", message):
        zh, en = f"应为不小于 {m.group(1)} 的整数", f"expected a whole number of at least {m.group(1)}"
    elif m := re.search(r"less than or equal to (\S+)", message):
        zh, en = f"应不大于 {m.group(1)}", f"expected at most {m.group(1)}"
    elif "valid integer" in message:
        zh, en = "应为整数，如 5000", "expected a whole number, such as 5000"
    elif "valid number" in message or "valid float" in message or "valid decimal" in message:
        zh, en = "应为数字", "expected a number"
    elif m := re.search(r"is not one of (.*?)\.?$", message):
        choices = re.findall(r"'(.*?)'", m.group(1))
        zh, en = f"应为 {' 或 '.join(choices)} 之一", f"expected one of {', '.join(choices)}"
    elif "does not exist" in message:
        zh, en = "文件不存在", "the file does not exist"
    else:
        zh, en = "取值无效", message
    return UsageError(f"{name} 的取值{got_zh}无效：{zh}", f"invalid value for {name}{got_en}: {en}")


class Group(TyperGroup):
    """The root command: the parser's usage errors become swtalent's, in the language asked for.
    Both `swtalent ...` (cli.main) and CliRunner().invoke(app, ...) come through main()."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        args = list(sys.argv[1:] if args is None else args)
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click_exc.NoArgsIsHelpError:
            sys.exit(2)  # the help has been printed
        except click_exc.UsageError as exc:
            report(_with_help(translate(exc, args), exc), argv_lang(args), "--json" in args)
            sys.exit(2)
        except click_exc.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except typer.Abort:
            typer.echo("已中止" if argv_lang(args) == "zh" else "Aborted!", err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) and not isinstance(rv, bool) else 0)
