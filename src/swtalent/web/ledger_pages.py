"""The ledger's pages: a computed run recorded after a confirmation that states its total, the
batches, one batch's lines, and its reversals (void, bank return), each the `swtalent ledger`
command's one call on the ledger."""
from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from .runs import failure_of
from .text import words
from .views import (
    _failure_page,
    _form,
    _ledger_book,
    _refused,
    _run,
    _state,
    lang_of,
    not_found,
    render,
    summary_of,
)


async def commit(request: Request) -> Response:
    state = _state(request)
    run = _run(request)
    if run is None or run.comp is None:
        return await not_found(request, None)
    lang = lang_of(request, state.config)
    result = await run_in_threadpool(summary_of, run, lang)
    from ..ledger import ledger_url
    from ..ledger_cli import operator_name, shown_url

    where = shown_url(ledger_url(state.config.ledger))
    if request.method == "GET":
        return render(state, request, "commit.html", run=run, s=result, ledger=where, operator=operator_name(None))
    form, ok = await _form(request)
    if not ok:
        return _refused(state, request)
    operator = str(form.get("operator", "")).strip()[:100] or None
    try:
        batch = await run_in_threadpool(state.runs.commit, run, operator)
    except BaseException as exc:  # noqa: BLE001 - a conflict (paid since) or an unreachable ledger, shown
        return _failure_page(state, request, failure_of(exc, state.config.debug), status=409, back=f"/runs/{run.id}")
    t = words(lang)
    return render(state, request, "message.html", status=200, back=f"/runs/{run.id}", ok=True,
                  text=t["commit.done"].format(batch=batch) if batch else t["commit.nothing"], batch=batch)


async def ledger(request: Request) -> Response:
    state = _state(request)

    def work():
        book = _ledger_book(state)
        return book.batches() if book is not None else None
    from ..ledger import ledger_url
    from ..ledger_cli import batch_json, shown_url

    try:
        found = await run_in_threadpool(work)
    except BaseException as exc:  # noqa: BLE001
        return _failure_page(state, request, failure_of(exc, state.config.debug), back="/")
    from ..ledger_cli import _WORDS

    lang = lang_of(request, state.config)
    return render(state, request, "ledger.html", batches=[batch_json(b) for b in found or []], status_words=_WORDS[lang],
                  exists=found is not None, url=shown_url(ledger_url(state.config.ledger)))


async def batch(request: Request, **ctx) -> Response:
    state = _state(request)
    batch_id = request.path_params["batch"]

    def work():
        from ..ledger.store import LedgerError
        from ..ledger_cli import refused

        book = _ledger_book(state)
        try:
            if book is None:
                raise LedgerError("ledger.no-batch", batch=batch_id)
            return book.batch(batch_id)
        except LedgerError as exc:
            raise refused(exc) from exc
    from ..ledger_cli import _lines_json, batch_json

    try:
        info, rows = await run_in_threadpool(work)
    except BaseException as exc:  # noqa: BLE001
        return _failure_page(state, request, failure_of(exc, state.config.debug), status=404, back="/ledger")
    from ..ledger_cli import _BATCH_LABELS, _WORDS

    lang = lang_of(request, state.config)
    return render(state, request, "batch.html", info=batch_json(info), lines=_lines_json(rows), status_words=_WORDS[lang],
                  batch_labels=_BATCH_LABELS[lang], **ctx)


async def reverse(request: Request) -> Response:
    """void and return: `ledger void BATCH --reason` and `ledger return BATCH --person ID --reason`."""
    state = _state(request)
    form, ok = await _form(request)
    if not ok:
        return _refused(state, request)
    batch_id = request.path_params["batch"]
    person = str(form.get("person", "")).strip().upper() if request.url.path.endswith("/return") else None
    reason, operator = str(form.get("reason", "")), str(form.get("operator", "")).strip()[:100] or None

    def work() -> int:
        from ..ledger.store import LedgerError
        from ..ledger_cli import operator_name, refused

        book = _ledger_book(state)
        try:
            if book is None:
                raise LedgerError("ledger.no-batch", batch=batch_id)
            who = operator_name(operator)
            return book.void(batch_id, reason, who) if person is None else book.return_payment(batch_id, person, reason, who)
        except LedgerError as exc:
            raise refused(exc) from exc
    try:
        count = await run_in_threadpool(work)
    except BaseException as exc:  # noqa: BLE001
        return await batch(request, action_failure=failure_of(exc, state.config.debug))
    return await batch(request, done=words(lang_of(request, state.config))["reversed"].format(n=count))
