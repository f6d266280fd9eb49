"""Generate a large, seeded, realistic Chuzhou roster for benchmarks.

    python benchmarks/make_roster.py --rows 100000 --seed 1 benchmarks/data/roster-100000.xlsx

Same layout as examples/chuzhou-roster.xlsx (a title row, then the header), with two more
columns a clerk's sheet usually has (联系电话, 备注) that swtalent ignores. All people are
invented; ID numbers are valid GB 11643 numbers built from Chuzhou region codes, unique per
person. The mix:

- categories: about 70% 社区工作人员, the rest 社工机构从业人员 / 社会工作从业人员 / 志愿者;
- levels 助理社会工作师 : 社会工作师 : 高级社会工作师 weighted 6 : 3 : 1;
- about 5% of people hold two levels: two rows, same ID, the higher level qualified later;
- qualifying dates 2020-2023; about 30% blank hire dates; about 10% with a leaving date;
- about 1% of rows carry a data problem: a wrong ID check character, or the level 心理咨询师;
- IDs, certificate numbers, bank accounts and phone numbers are text; dates are Excel dates
  with a date format, about 10% typed as text (2023/2/8, 2023.02.08, 2023年2月8日).

Written with xlsxwriter, text in the shared-string table as Excel and WPS save it.
"""
from __future__ import annotations

import argparse
import random
from datetime import date, timedelta
from pathlib import Path

import xlsxwriter

HEADERS = ["序号", "区县", "工作单位", "姓名", "身份证号", "人员类别", "证书等级", "证书编号",
           "取得证书日期", "报考地", "入职日期", "离职日期", "银行账号", "联系电话", "备注"]
TITLE_ROW, HEADER_ROW = 0, 1  # 0-based sheet rows; data starts below the header
WIDTHS = [8, 8, 30, 10, 22, 18, 16, 16, 14, 16, 12, 12, 24, 14, 16]

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
DISTRICTS = {"琅琊区": "341102", "南谯区": "341103", "来安县": "341122", "全椒县": "341124",
             "定远县": "341125", "凤阳县": "341126", "天长市": "341181", "明光市": "341182"}
LEVELS = ("助理社会工作师", "社会工作师", "高级社会工作师")  # lowest first
LEVEL_WEIGHTS = (6, 3, 1)
UNKNOWN_LEVEL = "心理咨询师"
COMMUNITY = "社区工作人员"
OTHER_CATEGORIES = ("社工机构从业人员", "社会工作从业人员", "志愿者")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华兰萍红玉亮成建国志文斌鹏辉婷雪琳慧晨宇浩然子轩欣怡俊"
STREETS = "东西南北中"
UNIT_WORDS = ("幸福", "和平", "光明", "新华", "育才", "清流", "丰乐", "琅琊", "醉翁", "南湖", "花园", "龙蟠",
              "菱溪", "紫薇", "凤凰", "永阳", "滨河", "建设", "人民", "友谊")
NOTES = ("新入职", "调入", "已调岗", "产假", "补报", "证书遗失补办")
OUTSIDE_EXAM_PLACES = ("合肥市", "南京市", "蚌埠市")

# Shares of the mix, as fractions of people (TWO_LEVELS) or of rows (the rest).
TWO_LEVELS, BLANK_HIRE, LEAVING, PROBLEM, TEXT_DATE, OUTSIDE_EXAM, NOTE = 0.05, 0.30, 0.10, 0.01, 0.10, 0.05, 0.05


def check_char(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits of an ID."""
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


def make_id(region: str, born: date, seq: int) -> str:
    body = f"{region}{born:%Y%m%d}{seq:03d}"
    return body + check_char(body)


def random_date(rng: random.Random, first_year: int, last_year: int) -> date:
    return date(rng.randint(first_year, last_year), rng.randint(1, 12), rng.randint(1, 28))


def as_typed(rng: random.Random, d: date) -> date | str:
    """Most dates stay dates; some are typed as text in the ways clerks type them."""
    if rng.random() >= TEXT_DATE:
        return d
    return rng.choice((f"{d.year}/{d.month}/{d.day}", f"{d:%Y.%m.%d}", f"{d.year}年{d.month}月{d.day}日"))


class People:
    """Seeded invented people: unique IDs, names, units and the columns that belong to a person."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.ids: set[str] = set()
        # A fixed pool of units per district, so unit names repeat as on a real roster.
        self.units = {d: [f"{d}{rng.choice(UNIT_WORDS)}{rng.choice(STREETS)}街道{rng.choice(UNIT_WORDS)}社区居委会"
                          for _ in range(60)] for d in DISTRICTS}
        self.agencies = {d: [f"滁州市{d}{rng.choice(UNIT_WORDS)}社会工作服务中心" for _ in range(8)] for d in DISTRICTS}

    def new_id(self, region: str) -> str:
        while True:
            pid = make_id(region, random_date(self.rng, 1965, 2000), self.rng.randint(0, 999))
            if pid not in self.ids:
                self.ids.add(pid)
                return pid

    def person(self) -> dict:
        """The columns shared by all of one person's rows."""
        rng = self.rng
        district = rng.choice(list(DISTRICTS))
        community = rng.random() < 0.70
        category = COMMUNITY if community else rng.choice(OTHER_CATEGORIES)
        hired = None if rng.random() < BLANK_HIRE else date(rng.randint(2010, 2023), rng.randint(1, 12), 1)
        left = None
        if rng.random() < LEAVING:  # always after the hire date: leave-before-hire is not the point here
            start = max(hired or date(2022, 1, 1), date(2022, 1, 1))
            left = start + timedelta(days=rng.randint(1, (date(2023, 12, 31) - start).days))
        place = (rng.choice(OUTSIDE_EXAM_PLACES) if rng.random() < OUTSIDE_EXAM
                 else rng.choice((f"滁州市{district}", district, "滁州市")))
        return {
            "district": district,
            "unit": rng.choice((self.units if community else self.agencies)[district]),
            "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else ""),
            "id": self.new_id(DISTRICTS[district]),
            "category": category,
            "exam_place": place,
            "hired": hired,
            "left": left,
            "bank": f"6217{rng.randint(10**14, 10**15 - 1)}",
            "phone": f"1{rng.choice('3456789')}{rng.randint(10**8, 10**9 - 1)}",
        }

    def certificates(self) -> list[tuple[str, date]]:
        """One (level, qualifying date) per row: usually one, sometimes a lower and a later higher one."""
        rng = self.rng
        if rng.random() < TWO_LEVELS:
            first = random_date(rng, 2020, 2022)
            return [(LEVELS[0], first), (rng.choice(LEVELS[1:]), random_date(rng, first.year + 1, 2023))]
        return [(rng.choices(LEVELS, weights=LEVEL_WEIGHTS)[0], random_date(rng, 2020, 2023))]


def rows(n: int, seed: int):
    """Yield n data rows (15 values each, None for a blank cell), in sheet order."""
    rng = random.Random(seed)
    people = People(rng)
    count = 0
    while count < n:
        p = people.person()
        for level, qualified in people.certificates():
            if count == n:
                return
            pid = p["id"]
            if rng.random() < PROBLEM:  # half a wrong check character, half an unknown level
                if rng.random() < 0.5:
                    pid = pid[:17] + next(c for c in "0123456789X" if c != pid[17])
                else:
                    level = UNKNOWN_LEVEL
            count += 1
            yield [count, p["district"], p["unit"], p["name"], pid, p["category"], level,
                   f"{rng.randint(10**11, 10**12 - 1)}", as_typed(rng, qualified), p["exam_place"],
                   p["hired"] and as_typed(rng, p["hired"]), p["left"] and as_typed(rng, p["left"]),
                   p["bank"], p["phone"], rng.choice(NOTES) if rng.random() < NOTE else None]


def write(out: Path, n: int, seed: int, sheets: int = 1) -> None:
    """n rows, on `sheets` sheets of the same shape (a roster past one sheet's 1,048,576 rows, or
    one sheet per district as some cities send them), each with the title and header."""
    # Not constant_memory: that mode writes inline strings, while Excel and WPS save text in a
    # shared-string table, which is what swtalent's reader meets in real rosters.
    book = xlsxwriter.Workbook(str(out))
    title = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "border": 1, "bg_color": "#FFF2CC"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    per_sheet = -(-n // sheets)
    if per_sheet + HEADER_ROW + 1 > 1_048_576:
        raise SystemExit(f"{per_sheet:,} rows do not fit one sheet: use --sheets {-(-n // (1_048_576 - HEADER_ROW - 1))}")
    ws = None
    for k, row in enumerate(rows(n, seed)):
        if k % per_sheet == 0:
            ws = book.add_worksheet("花名册" if k == 0 else f"花名册{k // per_sheet + 1}")
            for j, w in enumerate(WIDTHS):
                ws.set_column(j, j, w)
            ws.merge_range(TITLE_ROW, 0, TITLE_ROW, len(HEADERS) - 1, "滁州市社会工作专业人才补贴申报花名册（2023年度）", title)
            ws.write_row(HEADER_ROW, 0, HEADERS, head)
        r = HEADER_ROW + 1 + k % per_sheet
        ws.write_number(r, 0, row[0])
        for j in range(1, len(row)):
            value = row[j]
            if value is None:
                continue
            if isinstance(value, date):
                ws.write_datetime(r, j, value, day)
            else:
                ws.write_string(r, j, value)
    book.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000, help="data rows to write (default 100000)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--sheets", type=int, default=1, help="sheets to spread the rows over (default 1)")
    ap.add_argument("out", type=Path, help="the .xlsx file to write")
    args = ap.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write(args.out, args.rows, args.seed, args.sheets)


if __name__ == "__main__":
    main()
