"""The ledger: every batch committed, every line paid, every reversal, in SQLite or PostgreSQL.

The engine never opens it: `paid_claims` and `history` hand it tables, and `commit` records what a
computation paid. Every write is one transaction: a commit that dies half-way leaves nothing.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Integer, create_engine, event, func, insert, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ..engine import Computation
from ..engine.claims import CLAIM_COLUMNS, MONTH_COLUMNS, PaidClaims, cycle_claim
from ..periods import Period, month_label
from ..testpoints import pause_for_tests
from .records import (
    BatchInfo,
    LedgerConflict,
    LedgerError,
    Taken,
    new_batch_id,
    now_text,
)
from .schema import (
    batches,
    claims,
    lines,
    lock_commits,
    month_claims,
    prepare,
    reversals,
)

HISTORY_COLUMNS = ["person_id", "rule_id", "year", "level", "months", "amount_fen"]


class Ledger:
    def __init__(self, url: str):
        self.url = url
        self.engine = _engine(url)
        with self.engine.begin() as conn:
            prepare(conn)

    def close(self) -> None:
        self.engine.dispose()

    # --- what the engine reads ---------------------------------------------------------------

    def paid_claims(self, policy_id: str) -> PaidClaims:
        with self.engine.connect() as conn:
            try:
                return _paid_claims(conn, policy_id)
            finally:
                _let_go(conn)

    def covered_from(self, policy_id: str) -> int | None:
        """The first month of the earliest computed batch of the policy (voided or not): from then on,
        what fell due and is unpaid is arrears. None before any."""
        q = select(batches.c.period).where(batches.c.policy_id == policy_id, batches.c.kind == "compute")
        with self.engine.connect() as conn:
            periods = [Period.parse(p).first for (p,) in conn.execute(q)]
        return min(periods) if periods else None

    def history(self, policy_id: str) -> pd.DataFrame:
        """Lines paid and not reversed, as the history-dependent rules read them (--previous's table).
        A yearly line that paid several years (a run over two pay months) is one row per year, so
        that `max_years` counts each of them."""
        on_line = (reversals.c.batch_id == lines.c.batch_id) & (reversals.c.line_no == lines.c.line_no)
        q = (select(lines.c.batch_id, lines.c.line_no, lines.c.kind, *[lines.c[c] for c in HISTORY_COLUMNS])
             .join(batches, batches.c.id == lines.c.batch_id).outerjoin(reversals, on_line)
             .where(batches.c.policy_id == policy_id, reversals.c.batch_id.is_(None)))
        years = (select(claims.c.batch_id, claims.c.line_no, claims.c.claim)
                 .where(claims.c.policy_id == policy_id, claims.c.claim.like("year:%")))
        with self.engine.connect() as conn:
            frame = _frame(conn, q, ["batch_id", "line_no", "kind", *HISTORY_COLUMNS])
            yearly = _frame(conn, years, ["batch_id", "line_no", "claim"])
            _let_go(conn)
        several = yearly[yearly.duplicated(["batch_id", "line_no"], keep=False)]
        if not several.empty:
            split = frame[frame["kind"] == "yearly"].merge(several, on=["batch_id", "line_no"])
            count = split.groupby(["batch_id", "line_no"])["claim"].transform("count")
            split["year"] = split["claim"].str[5:].astype(np.int64)
            # An equal share of the line for each year, the fen left over on the first, so that the
            # shares add up to the line (a lifetime cap counts every fen paid) and each year counts.
            share = split["amount_fen"] // count
            first = ~split.duplicated(["batch_id", "line_no"])
            split["amount_fen"] = (share + np.where(first, split["amount_fen"] - share * count, 0)).clip(lower=1)
            keep = ~frame.set_index(["batch_id", "line_no"]).index.isin(split.set_index(["batch_id", "line_no"]).index)
            frame = pd.concat([frame[keep], split[frame.columns]], ignore_index=True)
        frame = frame[HISTORY_COLUMNS].copy()
        frame["level"] = frame["level"].fillna("")
        frame["months"] = frame["months"].fillna(0).astype(np.int64)
        return frame.astype({"year": np.int64, "amount_fen": np.int64})

    # --- commit --------------------------------------------------------------------------------

    def commit(self, comp: Computation, info: BatchInfo) -> str | None:
        """Record the computation's lines and claims as one batch; None when it pays nothing (a
        batch committed again pays nothing new). LedgerConflict when another batch holds a claim."""
        line_rows, claim_rows, month_rows = _rows(comp, info)
        return self.commit_rows(line_rows, claim_rows, info, month_rows) if len(line_rows) else None

    def commit_rows(self, line_rows: list[dict] | pd.DataFrame, claim_rows: list[dict] | pd.DataFrame,
                    info: BatchInfo, month_rows: pd.DataFrame | None = None) -> str:
        """One batch from its lines (batch_id, line_no from 1, person_id, name, rule_id, kind, level,
        months, first_month, last_month, year, amount_fen) and their claims (batch_id, line_no,
        policy_id, person_id, rule_id, claim; a month as its text, 2023-04, or in `month_rows`:
        the same columns with year and months, a bit mask, for claim), in one transaction."""
        line_rows = pd.DataFrame(line_rows, columns=[c.name for c in lines.columns])
        mine, months = _split_months(pd.DataFrame(claim_rows, columns=[c.name for c in claims.columns][:6]))
        if month_rows is not None:
            months = pd.concat([months, month_rows[months.columns]], ignore_index=True)
        twice = _claimed_twice(months)
        if len(twice):  # what the unique index refuses of the other claims
            r = twice.iloc[0]
            raise LedgerError("ledger.failed", detail=f"{r.person_id} 的「{r.rule_id}」{r.year} 年有月份在本批次中记了两次"
                                                      f" (a month of {r.year} is claimed twice in the batch)")
        try:
            with self.engine.begin() as conn:
                lock_commits(conn)
                taken = _taken(conn, info.policy_id, mine, months, line_rows)
                if taken:
                    raise LedgerConflict(taken)
                rounds = _reversed_counts(conn, info.policy_id)
                keyed = mine.merge(rounds, on=["person_id", "rule_id", "claim"], how="left")
                mine["round"] = keyed["round"].fillna(0).astype(int).to_numpy()
                conn.execute(insert(batches), [{
                    "id": info.id, "kind": info.kind, "period": info.period, "policy_id": info.policy_id,
                    "policy_file": info.policy_file, "policy_sha256": info.policy_sha256,
                    "roster_file": info.roster_file, "roster_sha256": info.roster_sha256,
                    "swtalent_version": info.swtalent_version, "operator": info.operator, "committed_at": now_text(),
                    "lines": len(line_rows), "total_fen": int(line_rows["amount_fen"].sum()),
                    "command": info.command}])
                _bulk(conn, lines, line_rows)
                _bulk(conn, claims, mine)
                _bulk(conn, month_claims, months)
                pause_for_tests("ledger-inserted")  # the kill test stops here, before the transaction ends
        except IntegrityError as exc:  # another batch took a claim between our look and our insert
            with self.engine.connect() as conn:
                taken = _taken(conn, info.policy_id, mine, months, line_rows)
            if not taken:
                raise LedgerError("ledger.failed", detail=unreachable(exc)) from exc
            raise LedgerConflict(taken) from None
        return info.id

    # --- reading ---------------------------------------------------------------------------------

    def batches(self) -> list[dict]:
        """Every batch with its totals after reversals and its status: committed, void, or returned
        (some lines sent back by the bank)."""
        rev = (select(reversals.c.batch_id, func.count().label("reversed"), func.sum(reversals.c.amount_fen).label("back"),
                      func.max(reversals.c.kind).label("how"))
               .group_by(reversals.c.batch_id).subquery())
        q = (select(batches, rev.c.reversed, rev.c.back, rev.c.how).outerjoin(rev, rev.c.batch_id == batches.c.id)
             .order_by(batches.c.committed_at, batches.c.id))
        with self.engine.connect() as conn:
            return [_batch_dict(r._mapping) for r in conn.execute(q)]

    def batch(self, batch_id: str) -> tuple[dict, pd.DataFrame]:
        found = [b for b in self.batches() if b["id"] == batch_id]
        if not found:
            raise LedgerError("ledger.no-batch", batch=batch_id)
        q = (select(lines, reversals.c.kind.label("reversed"), reversals.c.reason, reversals.c.reversed_at)
             .outerjoin(reversals, (reversals.c.batch_id == lines.c.batch_id) & (reversals.c.line_no == lines.c.line_no))
             .where(lines.c.batch_id == batch_id).order_by(lines.c.line_no))
        with self.engine.connect() as conn:
            frame = _frame(conn, q)
        return found[0], frame

    def export(self, period: str | None = None) -> pd.DataFrame:
        """Every line paid and not reversed (of the batches whose period is `period`, when given)."""
        q = (select(lines, batches.c.period, batches.c.committed_at, batches.c.policy_id)
             .join(batches, batches.c.id == lines.c.batch_id)
             .outerjoin(reversals, (reversals.c.batch_id == lines.c.batch_id) & (reversals.c.line_no == lines.c.line_no))
             .where(reversals.c.batch_id.is_(None)).order_by(batches.c.committed_at, lines.c.batch_id, lines.c.line_no))
        if period is not None:
            q = q.where(batches.c.period == period)
        with self.engine.connect() as conn:
            return _frame(conn, q)

    # --- reversals --------------------------------------------------------------------------------

    def void(self, batch_id: str, reason: str, operator: str) -> int:
        """Reverse every line of the batch not reversed yet: they become payable again."""
        return self._reverse(batch_id, None, "void", reason, operator)

    def return_payment(self, batch_id: str, person_id: str, reason: str, operator: str) -> int:
        """The bank sent the person's payment back (退票): their lines of the batch are reversed."""
        return self._reverse(batch_id, person_id, "return", reason, operator)

    def _reverse(self, batch_id: str, person_id: str | None, kind: str, reason: str, operator: str) -> int:
        if not reason.strip():
            raise LedgerError("ledger.no-reason")
        with self.engine.begin() as conn:
            if conn.execute(select(batches.c.id).where(batches.c.id == batch_id)).first() is None:
                raise LedgerError("ledger.no-batch", batch=batch_id)
            q = (select(lines.c.line_no, lines.c.amount_fen)
                 .outerjoin(reversals, (reversals.c.batch_id == lines.c.batch_id) & (reversals.c.line_no == lines.c.line_no))
                 .where(lines.c.batch_id == batch_id, reversals.c.batch_id.is_(None)))
            if person_id is not None:
                q = q.where(lines.c.person_id == person_id)
            open_lines = conn.execute(q).all()
            if not open_lines:
                code = "ledger.nothing-to-return" if person_id is not None else "ledger.already-void"
                raise LedgerError(code, batch=batch_id, person=person_id or "")
            rid, at = f"{kind[0].upper()}{new_batch_id()}", now_text()
            conn.execute(insert(reversals), [
                {"batch_id": batch_id, "line_no": no, "reversal_id": rid, "kind": kind, "reason": reason,
                 "operator": operator, "reversed_at": at, "amount_fen": -amount} for no, amount in open_lines])
        return len(open_lines)


def _let_go(conn: Connection) -> None:
    """Give back SQLite's page cache once a large read is done: reading every claim of a million
    people fills it (up to the 256 MiB _engine allows), beside the roster being read."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA shrink_memory")


def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _connect(dbapi, _record):  # we say when a transaction begins (below), not the driver
            dbapi.isolation_level = None
            dbapi.execute("PRAGMA foreign_keys = ON")
            # Up to 256 MiB of pages, used only as needed: inserting a year's claims of a million
            # people into the unique index took 2.4 s with the default 2 MiB, 1.6 s with this.
            dbapi.execute("PRAGMA cache_size = -262144")

        @event.listens_for(engine, "begin")
        def _begin(conn):  # take the write lock at once: two commits queue instead of failing half-way
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        return engine
    return create_engine(url, pool_pre_ping=True)


def _rows(comp: Computation, info: BatchInfo) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The batch's lines (numbered from 1, as on the payroll), and their claims other than months
    and their months (see commit_rows), as columns."""
    ls = comp.lines
    n = len(ls)
    kinds = ls["kind"].astype(str).to_numpy(dtype=object)
    per_month = np.isin(kinds, ["monthly", "title_allowance"])
    first, last = ls["first_month"].to_numpy(dtype=np.int64), ls["last_month"].to_numpy(dtype=np.int64)
    months_seen = np.unique(np.r_[first, last])
    labels = np.array([month_label(int(m)) for m in months_seen], dtype=object)
    level = ls["level"].to_numpy(dtype=object)
    months = np.full(n, None, dtype=object)  # Python ints and None: what the drivers bind
    months[per_month] = ls["months"].to_numpy()[per_month].astype(np.int64).tolist()
    line_rows = pd.DataFrame({
        "batch_id": info.id, "line_no": np.arange(1, n + 1, dtype=np.int64),
        "person_id": ls["person_id"].to_numpy(dtype=object), "name": ls["name"].to_numpy(dtype=object),
        "rule_id": ls["rule_id"].astype(str).to_numpy(dtype=object), "kind": kinds,
        "level": np.where(np.isin(kinds, ["award", "title_allowance"]) | pd.isna(level), None, level),
        "months": months, "first_month": labels[np.searchsorted(months_seen, first)],
        "last_month": labels[np.searchsorted(months_seen, last)], "year": first // 12,
        "amount_fen": ls["amount_fen"].to_numpy(dtype=np.int64)})
    cl, ml = comp.claims()
    claim_rows, month_rows = ({"batch_id": info.id, "line_no": c["line"].to_numpy(dtype=np.int64) + 1,
                               "policy_id": info.policy_id, "person_id": c["person_id"].to_numpy(),
                               "rule_id": c["rule_id"].astype(str).to_numpy()} for c in (cl, ml))
    claim_rows = pd.DataFrame({**claim_rows, "claim": cl["claim"].to_numpy()})
    month_rows = pd.DataFrame({**month_rows, "year": ml["year"].to_numpy(dtype=np.int64),
                               "months": ml["months"].to_numpy(dtype=np.int64)})
    # Titles that pay nothing at once: a line of 0 and the cycle's claim, after the paid lines.
    titles = comp.titles_without_payment()
    if len(titles):
        k = len(titles)
        line_no = np.arange(n + 1, n + k + 1, dtype=np.int64)
        month = titles["month"].to_numpy(dtype=np.int64)
        said = np.array([month_label(int(m)) for m in month], dtype=object)  # a few titles, not rows
        extra = pd.DataFrame({
            "batch_id": info.id, "line_no": line_no, "person_id": titles["person_id"].to_numpy(dtype=object),
            "name": titles["name"].to_numpy(dtype=object), "rule_id": titles["rule_id"].to_numpy(dtype=object),
            "kind": "award", "level": None, "months": None, "first_month": said, "last_month": said,
            "year": titles["year"].to_numpy(dtype=np.int64), "amount_fen": np.zeros(k, dtype=np.int64)})
        line_rows = pd.concat([line_rows, extra], ignore_index=True)
        claim_rows = pd.concat([claim_rows, pd.DataFrame(
            {"batch_id": info.id, "line_no": line_no, "policy_id": info.policy_id, "person_id": extra["person_id"],
             "rule_id": extra["rule_id"], "claim": [cycle_claim(int(y)) for y in extra["year"]]})], ignore_index=True)
    return line_rows, claim_rows, month_rows


def _paid_claims(conn: Connection, policy_id: str) -> PaidClaims:
    on_line = (reversals.c.batch_id == claims.c.batch_id) & (reversals.c.line_no == claims.c.line_no)
    active = (select(claims.c.person_id, claims.c.rule_id, claims.c.claim, claims.c.batch_id)
              .outerjoin(reversals, on_line).where(claims.c.policy_id == policy_id, reversals.c.batch_id.is_(None)))
    released = (select(claims.c.person_id, claims.c.rule_id, claims.c.claim).join(reversals, on_line)
                .where(claims.c.policy_id == policy_id))
    on_month_line = (reversals.c.batch_id == month_claims.c.batch_id) & (reversals.c.line_no == month_claims.c.line_no)
    months = (select(*[month_claims.c[c] for c in MONTH_COLUMNS[:5]]).outerjoin(reversals, on_month_line)
              .where(month_claims.c.policy_id == policy_id, reversals.c.batch_id.is_(None)))
    paid, paid_months = (_frame(conn, active, CLAIM_COLUMNS[:4], typed=False),
                         _frame(conn, months, MONTH_COLUMNS[:5], typed=False))
    when = dict(conn.execute(select(batches.c.id, batches.c.committed_at).where(batches.c.policy_id == policy_id)).all())
    for frame in (paid, paid_months):  # a few batches: not joined onto every claim
        frame["committed_at"] = frame["batch_id"].map(when)
    paid_months["year"] = paid_months["year"].astype(np.int64)
    paid_months["months"] = paid_months["months"].astype(np.int64)
    return PaidClaims(paid, _frame(conn, released, CLAIM_COLUMNS[:3]), paid_months)


MONTH_TEXT = r"\d{4}-(?:0[1-9]|1[0-2])"  # a month claimed as a text (2023-04), as a ledger import gives it


def _split_months(rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Claims as texts: the claims other than months, and the months as a bit mask a line and year."""
    keys = ["batch_id", "line_no", "policy_id", "person_id", "rule_id"]
    is_month = rows["claim"].astype(str).str.fullmatch(MONTH_TEXT).to_numpy(dtype=bool)
    if not is_month.any():
        return rows, pd.DataFrame({**{k: rows[k].iloc[:0] for k in keys}, "year": np.zeros(0, np.int64),
                                   "months": np.zeros(0, np.int64)})
    said = rows[is_month].drop_duplicates([*keys, "claim"])  # distinct months of a line: their sum is their union
    bits = np.left_shift(1, said["claim"].str[5:7].astype(np.int64) - 1)
    months = (said[keys].assign(year=said["claim"].str[:4].astype(np.int64), months=bits)
              .groupby([*keys, "year"], sort=False, as_index=False)["months"].sum())
    return rows[~is_month].reset_index(drop=True), months[[*keys, "year", "months"]]


def _claimed_twice(months: pd.DataFrame) -> pd.DataFrame:
    """Months two lines of one batch claim (a person, rule and year whose masks overlap), which no
    index refuses: the masks of a group are disjoint exactly when adding them carries no bit, i.e.
    when the bits of their sum are as many as theirs together."""
    keys = ["person_id", "rule_id", "year"]
    masks = months["months"].to_numpy(dtype=np.int64)
    per = months[keys].assign(sum=masks, bits=np.bitwise_count(masks).astype(np.int64)).groupby(keys, sort=False).sum()
    return per[np.bitwise_count(per["sum"].to_numpy(dtype=np.int64)) != per["bits"].to_numpy()].reset_index()


def _frame(conn: Connection, query, columns: list[str] | None = None, *, typed: bool = True) -> pd.DataFrame:
    """A query's rows as columns (named `columns`, else as the query names them): building a frame
    from row objects costs seconds at 600,000 claims. `typed=False` leaves every column as the
    driver's objects: pandas' look for the type of each (texts made its string type) took half
    of the time of reading a million people's claims."""
    result = conn.execute(query)
    columns = list(result.keys()) if columns is None else columns
    if not typed:
        pieces = []  # the driver's tuples a piece at a time, not all of them at once
        while rows := result.cursor.fetchmany(FETCH_ROWS):
            pieces.append(np.array(rows, dtype=object))  # rows x columns of the values as they are
        if not pieces:
            return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns}, columns=columns)
        table = np.concatenate(pieces) if len(pieces) > 1 else pieces[0]
        del pieces, rows
        return pd.DataFrame({c: pd.Series(_shared(table[:, k]), dtype=object, copy=False)
                             for k, c in enumerate(columns)})
    rows = result.cursor.fetchall()  # the driver's plain tuples, not SQLAlchemy rows
    if not rows:  # columns of no type, which merge with any (an empty list would be floats)
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns}, columns=columns)
    return pd.DataFrame(dict(zip(columns, zip(*rows))), columns=columns)


FETCH_ROWS = 1 << 16


def _shared(values: np.ndarray) -> np.ndarray:
    """A column of texts with each distinct text one object: the driver makes a new one for every
    row, and 846,694 claims name the same rule and batch (read alone, they took 428 MiB; 339 MiB
    with this and the rows fetched in pieces)."""
    if pd.api.types.infer_dtype(values, skipna=False) != "string":
        return values
    codes, uniques = pd.factorize(values)
    return uniques[codes]


def _bulk(conn: Connection, table, frame: pd.DataFrame) -> None:
    """The frame's rows into the table in one go, inside the caller's transaction: one COPY on
    PostgreSQL, one executemany on SQLite, with none of the per-row work a Core insert of dicts
    does (a year's claims of 100,000 people are some 650,000 rows). The rows are made column by
    column: Python values (int, str, None), which both drivers bind."""
    if frame.empty:  # an executemany of no rows would be run once, with no values
        return
    columns = [c.name for c in table.columns]
    values = [_python_values(frame[c], isinstance(table.c[c].type, Integer)) for c in columns]
    if conn.dialect.name == "postgresql":
        import csv
        import io

        text = io.StringIO()  # COPY's text format: tab-separated, NULL as \N, backslashes escaped
        csv.writer(text, delimiter="\t", quoting=csv.QUOTE_NONE, quotechar=None,
                   lineterminator="\n").writerows(zip(*(_copy_text(col) for col in values)))
        statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
        raw = conn.connection.driver_connection
        try:
            with raw.cursor() as cur, cur.copy(statement) as copy:
                copy.write(text.getvalue())
        except conn.dialect.dbapi.IntegrityError as exc:  # the driver's own: as SQLAlchemy would say it
            raise IntegrityError(statement, None, exc) from exc
    else:
        placeholders = ", ".join("?" for _ in columns)
        conn.exec_driver_sql(f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({placeholders})",
                             list(zip(*values)))


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(values: list) -> list:
    r"""A column for COPY's text format: None as \N, and in a text holding a backslash, tab or line
    break, each escaped (so that a name written \N is that text, not NULL). One look at the joined
    column first: such texts are rare, and the column is usually passed on as it is."""
    arr = np.asarray(values, dtype=object)
    missing = pd.isna(arr)
    joined = "\0".join(map(str, arr[~missing]))
    escape = any(ch in joined for ch in "\\\t\n\r")
    if not (escape or missing.any()):
        return values
    if escape:
        arr = np.array([v.translate(_COPY_ESCAPES) if isinstance(v, str) else v for v in arr], dtype=object)
    arr[missing] = "\\N"  # arr is a copy: np.asarray of a list makes one
    return arr.tolist()


def _python_values(column: pd.Series, integer: bool) -> list:
    """A column's values as the drivers bind them: an integer column that pandas holds as floats
    (a None among the numbers of rows built as dicts) as ints and None, not 3.0 and NaN."""
    if not (integer and column.dtype.kind == "f"):
        return column.tolist()
    out = np.full(len(column), None, dtype=object)
    known = column.notna().to_numpy()
    out[known] = column.to_numpy()[known].astype(np.int64).tolist()
    return out.tolist()


def _reversed_counts(conn: Connection, policy_id: str) -> pd.DataFrame:
    """Per claim key, how many of its claims were reversed: the round a new claim takes."""
    q = (select(claims.c.person_id, claims.c.rule_id, claims.c.claim, func.count().label("round"))
         .join(reversals, (reversals.c.batch_id == claims.c.batch_id) & (reversals.c.line_no == claims.c.line_no))
         .where(claims.c.policy_id == policy_id)
         .group_by(claims.c.person_id, claims.c.rule_id, claims.c.claim))
    return _frame(conn, q, ["person_id", "rule_id", "claim", "round"])


def _taken(conn: Connection, policy_id: str, mine: pd.DataFrame, months: pd.DataFrame,
           line_rows: pd.DataFrame) -> list[Taken]:
    """The claims and months of this batch that a batch not reversed holds already."""
    paid = _paid_claims(conn, policy_id)
    names = dict(zip(line_rows["line_no"].tolist(), line_rows["name"].tolist()))
    taken = []
    if not (paid.active.empty or mine.empty):
        hit = mine.merge(paid.active, on=["person_id", "rule_id", "claim"], suffixes=("", "_paid"))
        taken += [Taken(r.person_id, names.get(r.line_no, ""), r.rule_id, r.claim, r.batch_id_paid)
                  for r in hit.itertuples(index=False)]
    if not (paid.months.empty or months.empty):
        hit = months.merge(paid.months, on=["person_id", "rule_id", "year"], suffixes=("", "_paid"))
        both = hit["months"].to_numpy(dtype=np.int64) & hit["months_paid"].to_numpy(dtype=np.int64)
        taken += [Taken(r.person_id, names.get(r.line_no, ""), r.rule_id, month_label(int(r.year) * 12 + bit), r.batch_id_paid)
                  for r, common in zip(hit.itertuples(index=False), both.tolist()) if common
                  for bit in range(12) if common >> bit & 1]
    return taken


def _batch_dict(m) -> dict:
    """A batch as `ledger list` shows it: void once voided, returned when the bank sent lines back."""
    reversed_lines = int(m["reversed"] or 0)
    status = "void" if m["how"] == "void" else "returned" if reversed_lines else "committed"
    return {"id": m["id"], "kind": m["kind"], "period": m["period"], "policy": m["policy_id"],
            "policy_file": m["policy_file"], "roster_file": m["roster_file"], "lines": m["lines"],
            "total_fen": int(m["total_fen"]) + int(m["back"] or 0), "committed_fen": int(m["total_fen"]),
            "committed_at": _to_seconds(m["committed_at"]), "operator": m["operator"], "status": status,
            "reversed_lines": reversed_lines}


def _to_seconds(stamp: str) -> str:
    """2026-12-01T09:30:15.123456+08:00 as 2026-12-01T09:30:15+08:00."""
    head, dot, tail = stamp.partition(".")
    return head + tail[6:] if dot else stamp


def unreachable(exc: SQLAlchemyError) -> str:
    """A database error as one line for a message (no traceback, no password)."""
    return str(getattr(exc, "orig", exc) or exc).strip().splitlines()[0][:300]


