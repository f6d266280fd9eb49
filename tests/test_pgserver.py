"""The ledger test databases themselves: both backends really enforce a partial unique index (the
ledger's "one open payment per person" shape), and every test gets its own new database."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

ROWS = [(1, "甲", 100, "2024-01-31"), (2, "甲", 200, None), (3, "乙", 300, None)]
SEEN: set[str] = set()


@pytest.mark.parametrize("attempt", [1, 2])  # the second run fails if databases are not fresh
def test_partial_unique_index(ledger_url, attempt):
    engine = sa.create_engine(ledger_url)
    with engine.begin() as conn:
        assert sa.inspect(conn).get_table_names() == []
        conn.exec_driver_sql("CREATE TABLE payment (id INTEGER PRIMARY KEY, person TEXT NOT NULL, "
                             "amount INTEGER NOT NULL, released TEXT)")
        conn.exec_driver_sql("CREATE UNIQUE INDEX one_open_payment ON payment (person) WHERE released IS NULL")
        conn.execute(sa.text("INSERT INTO payment VALUES (:id, :person, :amount, :released)"),
                     [dict(zip(("id", "person", "amount", "released"), row)) for row in ROWS])
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO payment VALUES (4, '甲', 400, NULL)"))
    with engine.connect() as conn:
        assert [tuple(r) for r in conn.execute(sa.text("SELECT * FROM payment ORDER BY id"))] == ROWS
    # Not disposed on purpose: teardown must drop the database despite this pooled connection.


@pytest.mark.parametrize("ledger_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize("attempt", [1, 2])
def test_postgres_databases_are_distinct_and_dropped(ledger_url, attempt):
    name = sa.make_url(ledger_url).database
    assert name not in SEEN
    engine = sa.create_engine(ledger_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version()").scalar().startswith("PostgreSQL ")
        assert conn.exec_driver_sql("SELECT current_database()").scalar() == name
        left = conn.execute(sa.text("SELECT datname FROM pg_database WHERE datname = ANY(:names)"),
                            {"names": sorted(SEEN)}).scalars().all()
    engine.dispose()
    assert left == []  # earlier tests' databases are gone
    SEEN.add(name)
