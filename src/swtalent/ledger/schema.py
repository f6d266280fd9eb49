"""The ledger's tables, and the migrations that bring an older ledger up to date.

Append-only: a batch and its lines are written once; a void or a bank return (退票) is a new
reversal row pointing at the line it reverses, and frees what the line claimed.

"Paid once": a claim other than a month (a one-off level, a year, a cycle) of one person under one
policy's rule is a row of `claims`, inserted with `round` = the number of its earlier claims that
were reversed, so two runs racing to pay it insert the same round and the unique index lets only
one of them in. The months a line pays in one year are one row of `month_claims`, a bit mask
(bit m-1 for month m; a year's months of a million people would be millions of rows a month
apiece): no index can refuse two masks that overlap, so a commit holds the table's write lock
while it looks for months paid already and inserts its own (store.Ledger.commit_rows).
"""
from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKeyConstraint,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    inspect,
    text,
)
from sqlalchemy.engine import Connection

from ..testpoints import pause_for_tests

SCHEMA_VERSION = 2

metadata = MetaData()

schema_version = Table("swtalent_schema", metadata, Column("version", Integer, nullable=False))

batches = Table(
    "batches", metadata,
    Column("id", String(40), primary_key=True),  # chosen by the client, printed on the payroll
    Column("kind", String(10), nullable=False),  # compute | import
    Column("period", String(40), nullable=False),  # as --period takes it: 2023, 2023-05, 2023-01..2023-06
    Column("policy_id", String(100), nullable=False),
    Column("policy_file", Text), Column("policy_sha256", String(64)),
    Column("roster_file", Text), Column("roster_sha256", String(64)),
    Column("swtalent_version", String(20)), Column("operator", String(100)),
    Column("committed_at", String(32), nullable=False),  # ISO 8601 with the clerk's UTC offset
    Column("lines", Integer, nullable=False), Column("total_fen", BigInteger, nullable=False),
    Column("command", Text),
)

lines = Table(
    "lines", metadata,
    Column("batch_id", String(40), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("person_id", String(18), nullable=False), Column("name", Text),
    Column("rule_id", String(100), nullable=False), Column("kind", String(20), nullable=False),
    Column("level", String(40)), Column("months", Integer),
    Column("first_month", String(7)), Column("last_month", String(7)),  # 2023-04; the qualifying month of a one-off
    Column("year", Integer, nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
    ForeignKeyConstraint(["batch_id"], ["batches.id"]),
)

claims = Table(
    "claims", metadata,
    Column("batch_id", String(40), nullable=False), Column("line_no", Integer, nullable=False),
    Column("policy_id", String(100), nullable=False), Column("person_id", String(18), nullable=False),
    Column("rule_id", String(100), nullable=False), Column("claim", String(20), nullable=False),
    Column("round", Integer, nullable=False),
    UniqueConstraint("policy_id", "person_id", "rule_id", "claim", "round", name="claims_paid_once"),
    ForeignKeyConstraint(["batch_id", "line_no"], ["lines.batch_id", "lines.line_no"]),
)

month_claims = Table(  # schema 2
    "month_claims", metadata,
    Column("batch_id", String(40), nullable=False), Column("line_no", Integer, nullable=False),
    Column("policy_id", String(100), nullable=False), Column("person_id", String(18), nullable=False),
    Column("rule_id", String(100), nullable=False), Column("year", Integer, nullable=False),
    Column("months", Integer, nullable=False),  # bit m-1 set: month m of the year is paid by this line
    # No index: every read takes all of a policy's months, and an index on the person made
    # inserting 630,000 rows take 5.6-8.6 s instead of 2.7 s.
    ForeignKeyConstraint(["batch_id", "line_no"], ["lines.batch_id", "lines.line_no"]),
)

reversals = Table(
    "reversals", metadata,
    Column("batch_id", String(40), primary_key=True),  # a line is reversed at most once
    Column("line_no", Integer, primary_key=True),
    Column("reversal_id", String(40), nullable=False),  # one void or return: all its rows
    Column("kind", String(10), nullable=False),  # void | return
    Column("reason", Text, nullable=False), Column("operator", String(100)),
    Column("reversed_at", String(32), nullable=False),
    Column("amount_fen", BigInteger, nullable=False),  # the line's amount, negated
    ForeignKeyConstraint(["batch_id", "line_no"], ["lines.batch_id", "lines.line_no"]),
)

# version -> the steps (SQL, or a function of the connection) that bring a ledger of version - 1
# to it. Version 1 is the first schema; tests/fixtures/ledger-v1.db must open.
MIGRATIONS: dict[int, list] = {
    # The months a line claimed, a row a month (claim 2023-04), become one row a line and year.
    2: [lambda conn: month_claims.create(conn), lambda conn: _grant_as(conn, "claims", "month_claims"),
        """INSERT INTO month_claims (batch_id, line_no, policy_id, person_id, rule_id, year, months)
           SELECT batch_id, line_no, policy_id, person_id, rule_id, CAST(SUBSTR(claim, 1, 4) AS INTEGER),
                  SUM(1 << (CAST(SUBSTR(claim, 6, 2) AS INTEGER) - 1))
           FROM claims WHERE claim LIKE '____-__'
           GROUP BY batch_id, line_no, policy_id, person_id, rule_id, SUBSTR(claim, 1, 4)""",
        "DELETE FROM claims WHERE claim LIKE '____-__'"],
}


def _grant_as(conn: Connection, old: str, new: str) -> None:
    """PostgreSQL: every role that may use table `old` gets the same rights on `new`, which an upgrade
    just made (a new table has none but its owner's, and the clerks' roles could no longer read
    what was paid)."""
    if conn.dialect.name != "postgresql":
        return
    rights = conn.execute(text(
        "SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END, a.privilege_type "
        "FROM pg_class c CROSS JOIN LATERAL aclexplode(COALESCE(c.relacl, acldefault('r', c.relowner))) a "
        "WHERE c.oid = to_regclass(:old) AND a.grantee <> (SELECT oid FROM pg_roles WHERE rolname = current_user)"),
        {"old": old}).all()
    for grantee, right in rights:  # names quoted by the server, rights from its own list of words
        conn.execute(text(f"GRANT {right} ON {new} TO {grantee}"))


# The advisory lock of a PostgreSQL ledger's commits and upgrades ("swtalent" in the bytes of a bigint).
COMMIT_LOCK = int.from_bytes(b"swtalent", "big") >> 1


def lock_commits(conn: Connection) -> None:
    """Hold the ledger's lock to the end of the transaction, so that no other commit inserts months
    between our look for those paid and our insert, and no two runs upgrade at once (SQLite's
    BEGIN IMMEDIATE holds its write lock already). On PostgreSQL an advisory lock: it needs no right
    on any table (a LOCK TABLE would need UPDATE or DELETE, which a clerk's role that only reads and
    inserts does not have), and readers never wait for it."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({COMMIT_LOCK})")


def prepare(conn: Connection) -> int:
    """Create a new ledger, or upgrade an older one in place; the schema version it is now at."""
    version = _version(conn)
    if version != SCHEMA_VERSION and conn.dialect.name == "postgresql":
        # Two runs creating or upgrading one ledger at once: the second waits for the first, then
        # looks again and finds nothing left to do (SQLite's writes queue already).
        lock_commits(conn)
        version = _version(conn)
    if version is None:
        metadata.create_all(conn)
        conn.execute(schema_version.insert(), {"version": SCHEMA_VERSION})
        pause_for_tests("ledger-prepared")  # a test opens the ledger again here, before this commits
        return SCHEMA_VERSION
    if version > SCHEMA_VERSION:
        raise LedgerTooNew(version)
    for step in range(version + 1, SCHEMA_VERSION + 1):
        for statement in MIGRATIONS[step]:
            if callable(statement):
                statement(conn)
            else:
                conn.execute(text(statement))
        conn.execute(schema_version.insert(), {"version": step})
        pause_for_tests("ledger-prepared")
    return SCHEMA_VERSION


def _version(conn: Connection) -> int | None:
    """The ledger's schema version; None where there is no ledger yet."""
    if "swtalent_schema" not in set(inspect(conn).get_table_names()):
        return None
    return conn.execute(text("SELECT MAX(version) FROM swtalent_schema")).scalar_one()


class LedgerTooNew(Exception):
    """A ledger written by a newer swtalent: opening it could misread what was paid."""

    def __init__(self, version: int):
        super().__init__(f"ledger schema {version} is newer than this swtalent's {SCHEMA_VERSION}")
        self.version = version
