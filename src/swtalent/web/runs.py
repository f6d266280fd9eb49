"""One computation per upload, on a worker thread, in a temporary folder of its own.

The work is the CLI's: `api.run_compute` with the ledger the server reads, then the same writers
(`reports.files.write_outputs` for the workbook, the CSV and the notice list, `reports.annotate`
for the township's marked-up roster), and for a commit the CLI's `commit_when_written`, which
records the batch once the outputs are written and voids it should they fail to go in place.
One worker runs at a time (a 100,000-row run takes a core and some memory; a second waits its
turn); the page polls the run's stage meanwhile and never blocks.
"""
from __future__ import annotations

import logging
import secrets
import shlex
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Issue, SwtalentError, UsageError

if TYPE_CHECKING:
    from ..reports.sheets import RunInfo

log = logging.getLogger("swtalent.web")

KEEP = 20  # finished runs kept (each holds its computation in memory and its files on disk); older ones go
OUTPUTS = {"workbook": "发放表.xlsx", "csv": "明细.csv", "notice": "公示名单.xlsx", "annotated": "问题标注.xlsx"}


@dataclass
class Failure:
    """What stopped a piece of work, as the page shows it: located problems, a usage message in
    both languages, or an internal error (its traceback only in the server's window with --debug)."""

    issues: list[Issue] = field(default_factory=list)
    usage: UsageError | None = None
    internal: str = ""


def failure_of(exc: BaseException, debug: bool = False) -> Failure:
    if isinstance(exc, SwtalentError):
        return Failure(issues=list(exc.issues))
    if isinstance(exc, UsageError):
        return Failure(usage=exc)
    from .guard import mask

    if debug:
        log.error("%s", mask("".join(traceback.format_exception(exc))))
    log.error("internal error: %s", type(exc).__name__)  # the message may quote a cell: not logged
    if isinstance(exc, OSError):  # a file the system refused: which one, by the name the clerk gave it
        where = Path(exc.filename).name if isinstance(exc.filename, str) else ""
        return Failure(internal=f"{where + '：' if where else ''}{exc.strerror or type(exc).__name__}")
    return Failure(internal=f"{type(exc).__name__}: {exc}")


@dataclass
class Run:
    id: str
    folder: Path
    roster: Path
    policy: Path
    period: str
    sheet: str | None
    include_arrears: bool
    lang: str
    scores: Path | None = None  # the judges' score sheets (评委评分表), when uploaded
    state: str = "queued"  # queued, running, done, failed
    stage: str = "queued"
    started: float = field(default_factory=time.monotonic)
    seconds: float = 0.0
    comp: object = None
    failure: Failure | None = None
    outputs: dict[str, Path] = field(default_factory=dict)
    committed: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def info(self, ledger: str = "", batch_id: str = "", command: str = "") -> RunInfo:
        """What the workbook's 计算依据 and the ledger say of the run: the policy and roster by the
        names the clerk knows, with the hashes of the files this run read (its own copies)."""
        from ..reports.basis import sha256
        from ..reports.sheets import RunInfo

        return RunInfo(policy_file=self.policy.name, policy_sha256=sha256(str(self.policy)),
                       roster_file=self.roster.name, roster_sha256=sha256(str(self.roster)),
                       command=command, ledger=ledger, ledger_batch=batch_id)

    def elapsed(self) -> int:
        return int(self.seconds if self.state in ("done", "failed") else time.monotonic() - self.started)

    def command(self, ledger: str | None) -> str:
        """The command that reproduces the run, as the workbook's 计算依据 prints it."""
        from ..ledger_cli import shown_url

        return shlex.join(["swtalent", "compute", self.roster.name, "--policy", self.policy.name, "--period",
                           self.period, *(["--sheet", self.sheet] if self.sheet else []),
                           *(["--ledger", shown_url(ledger)] if ledger else []),
                           *(["--include-arrears"] if self.include_arrears else [])])


def scores_fit(run: Run) -> None:
    """The judges' score sheets uploaded when, and only when, an award of the policy reads them:
    said in the page's words (the library's name the CLI's --scores). A policy that cannot be read
    is left to the run, which says where."""
    from ..api import judged_awards
    from ..policy import load_policy

    try:
        judged = judged_awards(load_policy(run.policy))
    except SwtalentError:
        return
    if judged and run.scores is None:
        titles = "、".join(f"「{t}」" for t in judged)
        raise UsageError(f"{titles}的得分来自评委评分表：请在「评委评分表」处上传评分表文件（.xlsx 或 .csv）后重新计算",
                         f"the score of {', '.join(judged)} comes from judges' score sheets: upload the sheets under "
                         "'Judges' score sheets' (.xlsx or .csv) and compute again")
    if run.scores is not None and not judged:
        raise UsageError("上传了评委评分表，但所选政策中没有得分来自评委评分的评选：不上传评分表，或选择相应的政策",
                         "judges' score sheets were uploaded, but no award of the chosen policy is scored by judges: "
                         "leave them out, or choose the policy they belong to")


class Runs:
    """The runs since the server started, and the one worker that computes them."""

    def __init__(self, folder: Path, ledger: str | None, debug: bool = False, max_rows: int | None = None):
        from ..roster.source import DEFAULT_MAX_ROWS

        self.folder, self.ledger, self.debug = folder, ledger, debug
        self.max_rows = max_rows or DEFAULT_MAX_ROWS
        self._runs: dict[str, Run] = {}
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="swtalent-run")

    def new_folder(self) -> tuple[str, Path]:
        run_id = secrets.token_hex(6)
        path = self.folder / f"run-{run_id}"
        path.mkdir(parents=True)
        return run_id, path

    def get(self, run_id: str) -> Run | None:
        return self._runs.get(run_id)

    def recent(self) -> list[Run]:
        return list(reversed(self._runs.values()))[:10]

    def start(self, run: Run) -> Run:
        self._runs[run.id] = run
        self._forget_old()
        self._pool.submit(self._compute, run)
        return run

    def _forget_old(self) -> None:
        """Past KEEP runs, the oldest finished ones go with their files: a server left running for
        weeks does not hold every roster it was ever given."""
        import shutil

        for run_id, old in list(self._runs.items())[:max(0, len(self._runs) - KEEP)]:
            if old.state in ("done", "failed"):
                del self._runs[run_id]
                shutil.rmtree(old.folder, ignore_errors=True)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _compute(self, run: Run) -> None:
        run.state, run.started = "running", time.monotonic()
        try:
            self._work(run)
            run.state = "done"
        except BaseException as exc:  # noqa: BLE001 - every failure is shown on the run's page
            run.failure, run.state = failure_of(exc, self.debug), "failed"
        finally:
            run.seconds = time.monotonic() - run.started

    def _work(self, run: Run) -> None:
        from .. import api
        from ..ledger_cli import open_or_fail
        from ..periods import Period
        from ..roster.source import PendingSheet
        from ..testpoints import pause_for_tests

        def stage(name: str) -> None:
            run.stage = name
            pause_for_tests(name)  # as the CLI's progress bar does: where the tests hold a run

        run.stage = "read"

        per = Period.parse(run.period)
        scores_fit(run)
        book = open_or_fail(self.ledger)
        comp = api.run_compute(PendingSheet(run.roster, run.sheet, max_rows=self.max_rows), run.policy, per, stage=stage, ledger=book,
                               include_arrears=run.include_arrears, scores=run.scores)
        run.stage = "write"
        self.write(run, comp, book, batch_id="")
        run.comp = comp

    def annotated(self, run: Run) -> Path:
        """`check --annotate`: the roster marked with its problems, made when first asked for (openpyxl
        keeps the clerk's own workbook but takes a while on a large one; a run need not wait for it)."""
        from ..reports.annotate import annotate
        from ..reports.files import write_atomically

        with run.lock:
            if "annotated" not in run.outputs:
                path = run.folder / "out" / OUTPUTS["annotated"]
                write_atomically([(path, lambda tmp: annotate(run.roster, run.comp.roster.issues, tmp, run.lang,
                                                              run.sheet))], command=run.command(self.ledger))
                run.outputs["annotated"] = path
            return run.outputs["annotated"]

    def write(self, run: Run, comp, book, batch_id: str, committed=None) -> None:
        """The workbook, detail CSV and notice list into the run's folder, as `compute --out
        发放表.xlsx --out 明细.csv --notice 公示名单.xlsx` writes them (replacing the last ones)."""
        from ..ledger_cli import shown_url
        from ..reports.files import write_outputs

        out = run.folder / "out"
        out.mkdir(exist_ok=True)
        info = run.info(shown_url(book.url) if book is not None else "", batch_id, run.command(self.ledger))
        paths = {k: out / OUTPUTS[k] for k in ("workbook", "csv", "notice")}
        write_outputs(comp, [paths["workbook"], paths["csv"]], run.lang, info, notice=[paths["notice"]], force=True,
                      before_rename=committed.record if committed is not None else (lambda: None))
        run.outputs.update(paths)

    def commit(self, run: Run, operator: str | None) -> str | None:
        """`compute --commit`, for a run already computed: the batch is recorded once its outputs
        are written again carrying its id, before they replace the last ones; the ledger's unique
        index refuses anything another batch paid since. None when there was nothing to pay."""
        from ..ledger import new_batch_id
        from ..ledger_cli import commit_when_written, open_or_fail

        with run.lock:
            if run.committed:
                return run.committed
            comp = run.comp
            if not (len(comp.lines) or len(comp.titles_without_payment())):
                return None
            book = open_or_fail(self.ledger, create=True)
            batch_id = new_batch_id()
            # The ledger keeps the policy's and the roster's names and the hashes of the files the run
            # read (its own copies: the shipped policy may have changed since), as compute --commit.
            info = run.info("", batch_id, run.command(self.ledger))
            committed = commit_when_written(comp, book, batch_id, info, comp.period.label(), str(run.roster), operator)
            try:
                self.write(run, comp, book, batch_id, committed)
            except BaseException as exc:
                committed.undo(exc)
                raise
            run.committed = committed.batch
            return run.committed

