"""Replace a run's output files together: the old set or the new one, never a mix of two runs.

A run writes every output to a temporary file beside it (`.payments.xlsx.swtalent-tmp-PID`), then
renames them all into place. Before the first rename it writes a journal naming the set; while
renaming, Ctrl-C and `kill` are held back until the set is whole; a rename that fails (the file
open in Excel on Windows, a full disk) puts back the files already replaced. Only a kill that
cannot be held back (SIGKILL, a power cut) can stop the renames half way: the next run that
writes any of those files finishes the set from the journal (every new file was complete before
the first rename) and removes the temporary files dead runs left.

Two runs writing the same files take a lock on each (`.payments.xlsx.swtalent-lock`, holding who
took it); the second waits a little, then says who holds it. The operating system releases a lock
when its process ends, however it ends, so a killed run never leaves a lock behind.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from ..errors import Issue, Location, SwtalentError, UsageError, os_error_words
from ..testpoints import pause_for_tests

TMP_MARK, OLD_MARK, LOCK_MARK = ".swtalent-tmp-", ".swtalent-old-", ".swtalent-lock"
JOURNAL_PREFIX = ".swtalent-replacing-"
LOCK_WAIT_SECONDS = 10.0
# The outputs this process has put in place, for what an interrupted run says (cli.main).
replaced: list[Path] = []


def tmp_path(path: Path) -> Path:
    return _marked(path, TMP_MARK)


def _marked(path: Path, mark: str, pid: str | None = None) -> Path:
    """`.NAME<mark>PID` beside the file (no PID for the lock); a long name is shortened with a hash
    of it, so that the marked name stays within the 255 bytes a file name may have."""
    name = path.name
    if len(name.encode()) > 180:
        import hashlib

        name = name[:40] + "~" + hashlib.sha1(name.encode()).hexdigest()[:12]
    return path.with_name(f".{name}{mark}{os.getpid() if pid is None else pid}")


def replace_together(jobs: list[tuple[Path, Callable[[Path], None]]], *, force: bool = True,
                     command: str = "", wait: float | None = None,
                     before_rename: Callable[[], None] = lambda: None) -> None:
    """Each (path, write) job writes its file through write(tmp); the files replace the old ones
    together or not at all. Without `force` an existing file is not replaced (exit 2).
    `before_rename` runs once every file is written, before any is renamed (a ledger commit): if
    it fails, nothing is replaced."""
    targets = [path for path, _ in jobs]
    if not jobs:
        before_rename()
        return
    arrived: list[int] = []  # Ctrl-C or kill while renaming: acted on once the locks are released
    try:
        with _locked(targets, command, LOCK_WAIT_SECONDS if wait is None else wait):
            _write_and_rename(jobs, targets, force, arrived, before_rename)
    finally:
        for sig in dict.fromkeys(arrived):
            signal.raise_signal(sig)


def _write_and_rename(jobs: list[tuple[Path, Callable[[Path], None]]], targets: list[Path], force: bool,
                      arrived: list[int], before_rename: Callable[[], None]) -> None:
    _recover({p.parent for p in targets}, set(targets))
    if not force:
        refuse_existing(targets)
    written: list[tuple[Path, Path]] = []
    try:
        for path, write in jobs:
            tmp = tmp_path(path)
            written.append((tmp, path))
            _guarded(path, lambda: (write(tmp), _fsync(tmp)))
        pause_for_tests("written")
        before_rename()
        _rename_all(written, arrived)
    finally:
        for tmp, _ in written:
            if tmp.exists():
                tmp.unlink()


def recover(targets: list[Path], command: str = "") -> None:
    """Before a run starts: finish what a killed run left half-replaced among these files, and
    remove its temporary files, so that the run sees (and refuses or replaces) a whole set."""
    with _locked(targets, command, LOCK_WAIT_SECONDS):
        _recover({p.parent for p in targets}, set(targets))


def refuse_existing(targets: list[Path]) -> None:
    """A payroll may have been annotated or signed since it was written: replacing it takes --force."""
    existing = [p for p in targets if p.exists()]
    if existing:
        names = "、".join(str(p) for p in existing)
        raise UsageError(f"输出文件已存在：{names}。它可能已被批注或签字；确认要替换请加 --force，或换一个文件名",
                         f"the output already exists: {', '.join(map(str, existing))}. It may have been annotated "
                         "or signed; add --force to replace it, or choose another name")


def _rename_all(written: list[tuple[Path, Path]], arrived: list[int]) -> None:
    # A copy of the journal in every folder of the set: a later run naming any one of its files
    # finds it, wherever the others are.
    folders = list(dict.fromkeys(path.resolve().parent for _, path in written))
    journals = [folder / f"{JOURNAL_PREFIX}{os.getpid()}.json" for folder in folders]
    entries = [{"target": str(path.resolve()), "tmp": str(tmp.resolve()), "old": str(_old(path).resolve())}
               for tmp, path in written]
    text = json.dumps({"files": entries, "journals": [str(j) for j in journals]}, ensure_ascii=False)
    for journal in journals:
        _guarded(journal, lambda: (journal.write_text(text, encoding="utf-8"), _fsync(journal)))
    done: list[tuple[Path, Path | None]] = []  # (target, kept copy of the old file or None)
    with _signals_held(arrived):
        try:
            for k, (tmp, path) in enumerate(written):
                if k:
                    pause_for_tests("between-renames")
                old = _keep_old(path)
                done.append((path, old))
                _guarded(path, lambda: os.replace(tmp, path))
        except SwtalentError as exc:
            exc.issues += _put_back(done)
            _unlink_all(journals)
            raise
        except BaseException:
            _put_back(done)
            _unlink_all(journals)
            raise
        replaced[:] = [path for _, path in written]
        _unlink_all(journals)
        _unlink_all(old for _, old in done if old is not None)
    pause_for_tests("after-renames")


def _unlink_all(paths) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _old(path: Path) -> Path:
    return _marked(path, OLD_MARK)


def _keep_old(path: Path) -> Path | None:
    """A copy of the file about to be replaced (a hard link, or a copy where links are not
    possible), so that a failed set can be put back."""
    if not path.exists():
        return None
    old = _old(path)
    old.unlink(missing_ok=True)
    try:
        os.link(path, old)
    except OSError:
        _guarded(path, lambda: shutil.copy2(path, old))
    return old


def _put_back(done: list[tuple[Path, Path | None]]) -> list[Issue]:
    """The files already replaced, back as they were; a problem for each that cannot be (its old
    copy is kept, and named)."""
    failed = []
    for path, old in reversed(done):
        try:
            if old is not None and path.exists() and os.path.samefile(old, path):
                old.unlink()  # never replaced (a rename between two links of one file does nothing)
            elif old is not None:
                os.replace(old, path)
            elif path.exists():
                path.unlink()
        except OSError as exc:
            failed.append(Issue.make("output.not-restored", Location(file=str(path)), old=str(old or ""),
                                     detail=exc.strerror or exc))
    return failed


def _recover(folders: set[Path], ours: set[Path]) -> None:
    """Finish the sets that killed runs left half-replaced, then remove their temporary files. We
    hold the locks of our files, so a run that wrote them is no longer running."""
    mine = {p.resolve() for p in ours}
    for folder in folders:
        for journal in folder.glob(f"{JOURNAL_PREFIX}*.json"):
            try:
                found = json.loads(journal.read_text(encoding="utf-8"))
                entries, copies = found["files"], [Path(j) for j in found["journals"]]
            except (OSError, ValueError, KeyError, TypeError):
                continue
            targets = {Path(e["target"]) for e in entries}
            if not targets & mine:
                continue  # another set: its own run finishes it
            try:  # the set's other files, in other folders: locked too while they are finished
                with _locked(sorted(targets - mine), "", wait=0):
                    for e in entries:  # every new file was complete before the journal was written
                        tmp, target, old = Path(e["tmp"]), Path(e["target"]), Path(e["old"])
                        if tmp.exists():
                            _guarded(target, lambda: os.replace(tmp, target))
                        old.unlink(missing_ok=True)
                    _unlink_all(copies + [journal])
            except SwtalentError as exc:
                if any(i.code != "output.busy" for i in exc.issues):
                    raise  # a file that cannot be replaced; output.busy: a run writes one now, it finishes later
        for path in ours:
            if path.parent == folder:
                for stale in folder.glob(_glob_escape(_marked(path, TMP_MARK, pid="").name) + "*"):
                    if re.fullmatch(r"\d+", stale.name.rsplit(TMP_MARK, 1)[-1]):
                        stale.unlink(missing_ok=True)


def _glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


@contextmanager
def _locked(targets: list[Path], command: str, wait: float) -> Iterator[None]:
    """Locks on every target, taken in one order so that two runs cannot wait for each other."""
    held = []
    try:
        for path in sorted({p.resolve() for p in targets}):
            held.append(_lock(path, command, wait))
        yield
    finally:
        for lock in reversed(held):
            _unlock(*lock)


def _lock(path: Path, command: str, wait: float) -> tuple[Path, int]:
    lock = _marked(path, LOCK_MARK, pid="")
    deadline = time.monotonic() + wait
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:  # a folder we cannot write to: said like any failed write
            raise SwtalentError([Issue.make("output.write-failed", Location(file=str(path)),
                                            **os_error_words(exc))]) from exc
        if _try_lock(fd):
            try:  # the file we locked may have been removed by the run that released it: lock the new one
                same = os.path.samestat(os.fstat(fd), os.stat(lock))
            except FileNotFoundError:
                same = False
            if same:
                info = {"pid": os.getpid(), "host": socket.gethostname(), "since": datetime.now().isoformat(" ", "seconds"),
                        "command": command}
                os.ftruncate(fd, 0)
                os.write(fd, json.dumps(info, ensure_ascii=False).encode())
                return lock, fd
        holder = _holder(fd)
        os.close(fd)
        if time.monotonic() >= deadline:
            raise SwtalentError([Issue.make("output.busy", Location(file=str(path)), **holder)])
        time.sleep(0.1)


def _holder(fd: int) -> dict[str, str]:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        info = json.loads(os.read(fd, 4096).decode() or "{}")
    except (OSError, ValueError):
        info = {}
    return {k: str(info.get(k, "?")) for k in ("pid", "host", "since", "command")}


def _unlock(lock: Path, fd: int) -> None:
    try:
        if sys.platform != "win32":
            lock.unlink(missing_ok=True)  # removed while still held, so no waiter can lock a stale file
    except OSError:
        pass  # a folder made read-only meanwhile: the lock ends with the descriptor all the same
    os.close(fd)


if sys.platform == "win32":  # pragma: no cover - the clerk's Windows machine
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False


@contextmanager
def _signals_held(arrived: list[int]) -> Iterator[None]:
    """Ctrl-C, kill and a closed terminal wait until the renames are done: they are noted in
    `arrived`, for the caller to act on. Python runs signal handlers in the main thread only, so
    elsewhere (a server's worker) nothing is held."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    names = ("SIGINT", "SIGTERM", "SIGHUP")
    held = [getattr(signal, n) for n in names if hasattr(signal, n)]
    before = {sig: signal.signal(sig, lambda sig, _frame: arrived.append(sig)) for sig in held}
    before = {sig: signal.SIG_DFL if handler is None else handler for sig, handler in before.items()}
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


def _fsync(path: Path) -> None:
    """On disk before the renames, so that a power cut cannot leave an empty file in place."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _guarded(path: Path, step) -> None:
    try:
        step()
    except OSError as exc:  # no permission, disk full, the file open in Excel on Windows
        raise SwtalentError([Issue.make("output.write-failed", Location(file=str(path)), **os_error_words(exc))]) from exc
