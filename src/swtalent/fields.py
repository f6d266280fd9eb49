"""The roster fields swtalent knows, with the header names rosters use for them."""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "id", "level", "date", "account", "number", "yes_no", "choice"]


@dataclass(frozen=True)
class FieldSpec:
    key: str
    zh: str  # the standard Chinese header, used in messages and output sheets
    en: str
    kind: Kind
    aliases: tuple[str, ...]

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


# The header names township rosters and bureau notices use for each field. An alias must not be a name
# another column of the same roster commonly carries (证书名称 beside 证书等级 would make the two
# columns one field twice); 参加工作时间 (the start of a whole career) is deliberately not 入职日期.
FIELDS: dict[str, FieldSpec] = {f.key: f for f in (
    FieldSpec("seq", "序号", "No.", "text", ("序号", "编号")),
    FieldSpec("name", "姓名", "name", "text",
              ("姓名", "名字", "人员姓名", "社工姓名", "申请人姓名", "持证人姓名", "持证人")),
    FieldSpec("person_id", "身份证号", "ID number", "id",
              ("身份证号", "身份证号码", "公民身份号码", "证件号码", "身份证", "居民身份证号码", "居民身份证号",
               "公民身份证号码", "公民身份证号", "身份证件号码", "身份证件号", "身份证编号")),
    FieldSpec("category", "人员类别", "category", "text",
              ("人员类别", "人员类型", "身份类别", "人员身份", "岗位类别", "人员性质", "身份性质",
               "人员属性", "人员分类")),
    FieldSpec("level", "证书等级", "certificate level", "level",
              ("证书等级", "证书级别", "资格等级", "职业资格等级", "持证等级", "持证级别",
               "职业水平等级", "职业水平级别", "资格级别", "资格证书等级", "资格证书级别", "取得证书等级",
               "取得证书级别", "社工证等级", "社工证书等级", "证书等次", "职业资格级别")),
    FieldSpec("qualified_on", "取得证书日期", "qualifying date", "date",
              ("取得证书日期", "取证日期", "取证时间", "发证日期", "取得证书时间", "发证时间", "证书取得时间",
               "证书取得日期", "资格取得时间", "资格取得日期", "取得资格时间", "取得资格日期", "获证时间",
               "获证日期", "获得证书时间", "获得证书日期", "持证时间", "持证日期", "取得时间", "取得日期",
               "证书签发日期", "签发日期", "签发时间", "取得职业资格时间", "取得职业资格日期",
               "取得职业水平证书时间", "取得职业水平证书日期", "取得社工证时间", "取得社工证日期")),
    FieldSpec("exam_place", "报考地", "exam place", "text",
              ("报考地", "报考地点", "报名地", "报名地点", "报考地区", "报考城市", "考试地点", "考区",
               "报考所在地")),
    FieldSpec("hired_on", "入职日期", "hire date", "date",
              ("入职日期", "入职时间", "上岗时间", "上岗日期", "到岗时间", "到岗日期", "入职年月", "入岗时间",
               "入岗日期", "聘用时间", "聘用日期", "受聘时间", "受聘日期", "任职时间", "任职日期",
               "进入本单位时间", "进入本单位日期", "到本单位工作时间", "来本单位工作时间", "本岗位工作时间")),
    FieldSpec("left_on", "离职日期", "leaving date", "date",
              ("离职日期", "离职时间", "离岗时间", "离岗日期", "离职年月", "解聘时间", "解聘日期")),
    FieldSpec("district", "区县", "district", "text",
              ("区县", "县区", "县(市、区)", "所属区县", "所在区县", "所属县区", "所在县区", "县(区)", "区(县)",
               "县市区", "县(市)区", "县(区、市)", "区(县、市)")),
    FieldSpec("unit", "工作单位", "unit", "text",
              ("工作单位", "所在单位", "单位", "推荐单位", "单位名称", "工作单位名称", "所在单位名称", "就职单位",
               "服务单位", "任职单位", "所在机构", "工作机构")),
    FieldSpec("service_field", "工作领域", "field of work", "text",
              ("工作领域", "服务领域", "从事领域", "专业领域", "从事工作领域", "服务方向")),
    FieldSpec("score", "评审得分", "score", "number", ("评审得分", "综合得分", "得分", "评分", "总得分", "综合评分")),
    FieldSpec("years", "从事社会工作年限", "years in social work", "number",
              ("从事社会工作年限", "工作年限", "社会工作年限", "从事社工年限", "社工工作年限", "从事社会工作年数",
               "从业年限")),
    FieldSpec("bank_account", "银行账号", "bank account", "account",
              ("银行账号", "银行卡号", "账号", "银行帐号", "帐号", "银行卡账号", "收款账号", "收款帐号", "银行账户",
               "卡号")),
    FieldSpec("bank_branch", "开户行", "bank branch", "text",
              ("开户行", "开户银行", "开户网点", "开户行名称", "开户银行名称", "开户支行", "开户行全称", "开户行及网点")),
    FieldSpec("cert_no", "证书编号", "certificate number", "account",
              ("证书编号", "证书号", "证书号码", "证书编码", "资格证书编号", "职业水平证书编号", "证书管理号",
               "管理号")),
    FieldSpec("review", "年度考核", "annual review", "text",
              ("年度考核", "年度考核结果", "考核结果", "考核等次", "年度考核等次", "考核情况", "考核等级",
               "年度考核情况")),
    FieldSpec("gender", "性别", "gender", "text", ("性别",)),
    FieldSpec("birth_date", "出生日期", "birth date", "date", ("出生日期", "出生年月", "出生年月日", "出生时间")),
)}

# A policy whose candidates are organisations (`candidates: organisations`: social-work stations and
# agencies) reads its roster with these in place of the person's: the key is the unified social credit
# code (统一社会信用代码, GB 32100) under the frame's person_id, the organisation's name under name, and
# its legal representative and the name its account is held in, which the payroll prints. A person's
# headers (姓名, 身份证号) then mean nothing in it; 单位名称 names the organisation, not a 工作单位.
ORG_FIELDS: dict[str, FieldSpec] = {f.key: f for f in (
    FieldSpec("person_id", "统一社会信用代码", "unified social credit code", "id",
              ("统一社会信用代码", "社会信用代码", "信用代码", "统一信用代码", "机构代码", "统一社会信用代码证号",
               "统一社会信用代码号", "组织机构代码", "单位代码", "机构统一社会信用代码", "单位统一社会信用代码")),
    FieldSpec("name", "机构名称", "organisation", "text",
              ("机构名称", "单位名称", "社工站名称", "站点名称", "社工站", "站点", "机构全称", "单位全称", "组织名称",
               "社会组织名称", "社工机构名称", "服务机构名称", "申报单位", "申报机构", "参评单位", "参评机构")),
    FieldSpec("legal_rep", "法定代表人", "legal representative", "text",
              ("法定代表人", "法人代表", "法人", "负责人", "法定代表人姓名", "负责人姓名", "站长", "机构负责人")),
    FieldSpec("account_name", "账户名称", "account name", "text",
              ("账户名称", "开户名称", "户名", "账户名", "开户名", "收款户名", "收款单位", "收款账户名称", "开户单位")),
)}
ORG_ONLY = ("legal_rep", "account_name")  # read only from an organisations' roster

# Always needed; each rule kind and the fields its conditions test add to these (Policy.required_fields).
BASE_REQUIRED = ("name", "person_id")
# The built-in fields a policy condition may test, with the type that says which tests apply (a
# policy's own fields add to these). `level` takes the policy's level keys; `birth_date` is the one
# a valid ID number holds.
CONDITION_FIELDS = {"category": "text", "exam_place": "text", "district": "text", "unit": "text",
                    "service_field": "text", "review": "text", "bank_branch": "text", "level": "level",
                    "qualified_on": "date", "hired_on": "date", "left_on": "date", "birth_date": "date",
                    "score": "number",
                    "years": "number"}
# Fields a run reads off another column, never required as a column of their own.
DERIVED = frozenset({"birth_date"})  # from the ID number
# Names a policy's own field may not take: the built-in fields, and the columns the roster's frame
# adds (and the suffixes it gives a number's exact value and a date as written).
RESERVED_KEYS = frozenset(FIELDS) | {"row", "sheet", "error", "person"}  # the roster frame's own columns
RESERVED_SUFFIXES = ("_exact", "_written")


def declared_spec(key: str, name: str, aliases: tuple[str, ...], kind: str, name_en: str = "") -> FieldSpec:
    """A field a policy declares, as the reader and the messages see a built-in one."""
    return FieldSpec(key, name, name_en or name, kind, tuple(aliases))  # type: ignore[arg-type]
# The built-in text columns every roster frame holds as normalised text ('' for blank or absent):
# what an amounts table (amounts_by) may be keyed on, with the text fields a policy declares.
TEXT_FIELDS = ("district", "unit", "category", "exam_place", "service_field", "review", "bank_branch")


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


def likely_field(table: dict[str, str], header: object, taken: set[str] | frozenset[str] = frozenset(),
                 cutoff: float = 0.75) -> str | None:
    """The field an unrecognised header most likely names, or None when not confident: the known
    header closest to it (difflib's ratio on the normalised text, brackets dropped) must be at least
    `cutoff` alike, and no known header of another field may come within 0.1 of it. Fields already
    in the sheet (`taken`) are not suggested: the column is then something else."""
    key = re.sub(r"\(.*?\)", "", header_key(header))
    if len(key) < 2:
        return None
    best: dict[str, float] = {}
    for alias, field in table.items():
        ratio = difflib.SequenceMatcher(None, key, alias, autojunk=False).ratio()
        if ratio > best.get(field, 0.0):
            best[field] = ratio
    ranked = sorted(best.items(), key=lambda kv: kv[1], reverse=True)
    if not ranked or ranked[0][1] < cutoff or ranked[0][0] in taken:
        return None
    if len(ranked) > 1 and ranked[1][1] > ranked[0][1] - 0.1:
        return None
    return ranked[0][0]
