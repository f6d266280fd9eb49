"""`swtalent serve`: the library behind a local web page, for the clerk who never opens a terminal.

The page calls the same `swtalent.api` functions and report writers as the command line and holds
no rule, check or money logic of its own: it uploads, calls, and renders what the library returns.

  app.py      the routes (Starlette), the gate every request passes, the lifespan
  views.py    compute, problems, one person, a comparison, a policy checked (Jinja2 templates/)
  ledger_pages.py  commit after a confirmation, the batches, void and bank returns
  runs.py     a computation per upload, on a worker thread, in its own temporary folder
  guard.py    password and session, cross-site request tokens, uploads, a log without ID numbers
  server.py   starting uvicorn, the browser, and removing the temporary folders on the way out
  text.py     the page's own words, Chinese and English (problems use errors.CATALOGUE)
"""
from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
