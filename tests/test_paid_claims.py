"""What the engine reads of the ledger (engine.claims.PaidClaims), held to plain loops over the
claims on random ledgers: which rows hold a claim, which months each row's person was paid, and
which batch paid a person last. The ledger's own tests (test_ledger.py) go through the database."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from swtalent.engine.claims import CLAIM_COLUMNS, MONTH_COLUMNS, PaidClaims


def _ledger(seed: int) -> tuple[PaidClaims, np.ndarray]:
    rng = np.random.default_rng(seed)
    people = np.array([f"P{k:03d}" for k in range(60)], dtype=object)
    batches = [(f"B{k}", f"2024-0{k + 1}-15T09:00:00.{k:06d}+08:00") for k in range(4)]
    rng.shuffle(batches)  # committed order is not the order of their names
    def pick(n):
        return people[rng.integers(0, len(people), n)], [batches[k] for k in rng.integers(0, len(batches), n)]
    who, by = pick(80)
    active = pd.DataFrame({"person_id": who, "rule_id": rng.choice(["one", "two"], 80),
                           "claim": rng.choice(["once:a", "once:b", "year:2023"], 80),
                           "batch_id": [b for b, _ in by], "committed_at": [c for _, c in by]}, columns=CLAIM_COLUMNS)
    who, by = pick(120)
    months = pd.DataFrame({"person_id": who, "rule_id": rng.choice(["one", "two"], 120),
                           "year": rng.choice([2022, 2023], 120), "months": rng.integers(1, 1 << 12, 120),
                           "batch_id": [b for b, _ in by], "committed_at": [c for _, c in by]}, columns=MONTH_COLUMNS)
    ids = np.concatenate([people, people[:20], np.array(["NOBODY", "P999"], dtype=object)])
    return PaidClaims(active, pd.DataFrame(columns=CLAIM_COLUMNS[:3]), months), ids


@pytest.mark.parametrize("seed", range(6))
def test_what_the_engine_reads_of_the_ledger_is_what_a_plain_loop_finds(seed):
    paid, ids = _ledger(seed)
    rng = np.random.default_rng(100 + seed)
    claims = rng.choice(["once:a", "once:b", "once:c"], len(ids)).astype(object)
    months = np.arange(2022 * 12 + 6, 2023 * 12 + 6)  # July 2022 to June 2023: across the year
    for rule in ("one", "two", "three"):
        a = paid.active[paid.active["rule_id"] == rule]
        held = {(p, c) for p, c in zip(a["person_id"], a["claim"])}
        assert paid.held(rule, ids, claims).tolist() == [(p, c) in held for p, c in zip(ids, claims)]
        assert paid.held(rule, ids, "year:2023").tolist() == [(p, "year:2023") in held for p in ids]

        m = paid.months[paid.months["rule_id"] == rule]
        grid = paid.month_grid(rule, ids, months)
        for i, person in enumerate(ids):
            mine = m[m["person_id"] == person]
            want = [any(y == month // 12 and mask >> (month % 12) & 1 for y, mask in zip(mine["year"], mine["months"]))
                    for month in months]
            assert grid[i].tolist() == want, (rule, person)

        both = pd.concat([a[["person_id", "batch_id", "committed_at"]], m[["person_id", "batch_id", "committed_at"]]])
        got = paid.paid_by(rule, ids)
        for person, said in zip(ids, got):
            mine = both[both["person_id"] == person]
            if mine.empty:
                assert said == ""
            else:
                last = mine.sort_values("committed_at").iloc[-1]
                assert said == f"{last['batch_id']}|{last['committed_at'][:10]}"
        assert paid.has(rule) == (not a.empty or not m.empty)
