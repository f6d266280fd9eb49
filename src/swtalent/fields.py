"""The roster fields swtalent knows, with the header names rosters use for them."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "id", "level", "date", "account", "number"]


@dataclass(frozen=True)
class FieldSpec:
    key: str
    zh: str  # the standard Chinese header, used in messages and output sheets
    en: str
    kind: Kind
    aliases: tuple[str, ...]

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


FIELDS: dict[str, FieldSpec] = {f.key: f for f in (
    FieldSpec("seq", "序号", "No.", "text", ("序号", "编号")),
    FieldSpec("name", "姓名", "name", "text", ("姓名", "名字")),
    FieldSpec("person_id", "身份证号", "ID number", "id",
              ("身份证号", "身份证号码", "公民身份号码", "证件号码", "身份证")),
    FieldSpec("category", "人员类别", "category", "text", ("人员类别", "人员类型", "身份类别")),
    FieldSpec("level", "证书等级", "certificate level", "level",
              ("证书等级", "证书级别", "资格等级", "职业资格等级")),
    FieldSpec("qualified_on", "取得证书日期", "qualifying date", "date",
              ("取得证书日期", "取证日期", "取证时间", "发证日期")),
    FieldSpec("exam_place", "报考地", "exam place", "text", ("报考地", "报考地点", "报名地")),
    FieldSpec("hired_on", "入职日期", "hire date", "date", ("入职日期", "入职时间", "上岗时间")),
    FieldSpec("left_on", "离职日期", "leaving date", "date", ("离职日期", "离职时间")),
    FieldSpec("district", "区县", "district", "text", ("区县", "县区", "县(市、区)", "所属区县")),
    FieldSpec("unit", "工作单位", "unit", "text", ("工作单位", "所在单位", "单位", "推荐单位")),
    FieldSpec("service_field", "工作领域", "field of work", "text", ("工作领域", "服务领域", "从事领域")),
    FieldSpec("score", "评审得分", "score", "number", ("评审得分", "综合得分", "得分")),
    FieldSpec("years", "从事社会工作年限", "years in social work", "number", ("从事社会工作年限", "工作年限")),
    FieldSpec("bank_account", "银行账号", "bank account", "account", ("银行账号", "银行卡号", "账号")),
    FieldSpec("bank_branch", "开户行", "bank branch", "text", ("开户行", "开户银行", "开户网点", "开户行名称")),
    FieldSpec("cert_no", "证书编号", "certificate number", "account", ("证书编号", "证书号")),
    FieldSpec("review", "年度考核", "annual review", "text", ("年度考核", "年度考核结果", "考核结果", "考核等次")),
    FieldSpec("gender", "性别", "gender", "text", ("性别",)),
    FieldSpec("birth_date", "出生日期", "birth date", "date", ("出生日期", "出生年月", "出生年月日")),
)}

# Always needed; each rule kind and the fields its conditions test add to these (Policy.required_fields).
BASE_REQUIRED = ("name", "person_id")
# Fields a policy condition may test (text columns with a fixed meaning).
CONDITION_FIELDS = ("category", "exam_place", "district", "unit", "service_field", "review")


def header_key(text: object) -> str:
    """A header as compared against aliases: NFKC, no blanks, no required-marker asterisks."""
    s = unicodedata.normalize("NFKC", str(text))
    return "".join(ch for ch in s if not ch.isspace()).strip("*＊").replace("（", "(").replace("）", ")")


def alias_table(extra: dict[str, tuple[str, ...]] | None = None) -> dict[str, str]:
    """Normalised header -> field key, from the built-in aliases plus a policy's or the CLI's."""
    table = {header_key(a): key for key, spec in FIELDS.items() for a in (spec.zh, *spec.aliases)}
    for key, names in (extra or {}).items():
        for name in names:
            table[header_key(name)] = key
    return table


def field_of(table: dict[str, str], header: object) -> str | None:
    """The field a header names, also when a template adds a note: '*身份证号（18位）' is 身份证号."""
    key = header_key(header)
    return table.get(key) or table.get(re.sub(r"\(.*?\)", "", key)) if key else None
