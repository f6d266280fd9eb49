"""公示名单: the list published before payment. Name, masked ID, unit, district, item, level and
amount; never a bank account or a full ID. The mask is the policy's `notice` section (by default
3411**********1234: the eight birth-date digits are always hidden)."""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from ..engine import Computation
from ..money import FEN_PER_YUAN, format_yuan
from .labels import labels
from .sheets import Sheet


def mask_ids(ids: np.ndarray, keep_first: int, keep_last: int, mask: str = "*") -> np.ndarray:
    """Each ID with all but its first `keep_first` and last `keep_last` characters masked."""
    def one(text: str) -> str:
        hidden = max(len(text) - keep_first - keep_last, 0)
        return text[:keep_first] + mask * hidden + (text[len(text) - keep_last:] if keep_last else "")
    codes, distinct = pd.factorize(ids)
    return np.array([one(str(t)) for t in distinct], dtype=object)[codes] if len(ids) else np.array([], dtype=object)


def notice_frame(comp: Computation, lang: str) -> pd.DataFrame:
    L = labels(lang)
    lines, spec, roster = comp.lines, comp.policy.notice, comp.roster
    level_names = comp.policy.level_titles
    cols: dict[str, object] = {
        L["seq"]: np.arange(1, len(lines) + 1), L["name"]: lines["name"].to_numpy(),
        L["person_id"]: mask_ids(lines["person_id"].to_numpy(), spec.keep_first, spec.keep_last, spec.mask),
    }
    for key in ("district", "unit"):
        if key in roster.headers:
            cols[L[key]] = lines[key].to_numpy()
    cols[L["rule"]] = lines["rule_id"].map({r.id: r.title for r in comp.policy.rules}).astype(object).to_numpy()
    cols[L["level"]] = np.where(lines["kind"].isin(["award", "title_allowance"]), None,
                                lines["level"].map(level_names).astype(object).to_numpy())
    cols[L["amount"]] = lines["amount_fen"].to_numpy()
    return pd.DataFrame(cols)


def write_notice(comp: Computation, path: Path, lang: str = "zh", as_csv: bool = False) -> None:
    """A CSV (UTF-8 with a byte-order mark, so Excel in China opens it) or a titled workbook."""
    L = labels(lang)
    frame = notice_frame(comp, lang)
    if as_csv:
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(frame.columns)
            for row in frame.itertuples(index=False):
                writer.writerow([format_yuan(v) if c == L["amount"] else v for c, v in zip(frame.columns, row)])
        return
    from .workbook import write_sheets

    frame[L["amount"]] = frame[L["amount"]] / FEN_PER_YUAN
    title = L["notice_title"].format(city=comp.policy.city, period=comp.period.label())
    write_sheets(path, [Sheet(L["sheet.notice"], frame, header_row=1, title=[title])], L)
