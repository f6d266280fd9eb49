"""Problems as data: a stable code, a location the clerk can find, a message and a hint.

Every code lives in CATALOGUE with its Chinese and English text; a test checks that
docs/problems.md documents each of them. Messages are templates filled from `params`
when rendered, so one Issue can be shown in either language.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]
Lang = Literal["zh", "en"]


@dataclass(frozen=True)
class Entry:
    severity: Severity
    zh: str
    en: str
    hint_zh: str = ""
    hint_en: str = ""


CATALOGUE: dict[str, Entry] = {
    # --- roster file -------------------------------------------------------
    "file.not-found": Entry(
        "error", "找不到文件", "file not found",
        "检查路径是否正确", "check the path"),
    "file.unreadable": Entry(
        "error", "无法读取文件：{detail}", "cannot read the file: {detail}",
        "用 Excel 打开后另存为 .xlsx 再试", "open it in Excel and save it as .xlsx"),
    "file.not-a-workbook": Entry(
        "error", "不是 Excel 工作簿：文件内容是{kind_zh}，只是文件名以 {suffix} 结尾",
        "not an Excel workbook: the file holds {kind_en}; only its name ends in {suffix}",
        "用 Excel 或 WPS 打开后另存为 .xlsx；如本是 CSV，把文件改名为 .csv",
        "open it in Excel or WPS and save it as .xlsx; if it is a CSV, rename it to .csv"),
    "file.not-a-file": Entry(
        "error", "不是普通文件（是文件夹、设备或管道），未读取", "not a regular file (a folder, a device or a pipe); not read",
        "给出 Excel 或 CSV 文件本身的路径", "give the path of the Excel or CSV file itself"),
    "file.too-large": Entry(
        "error", "文件展开后约 {size}，超过上限 {limit}（按 --max-rows {max_rows} 行、每行 1 KB 计），未读取",
        "the file would inflate to about {size}, past the limit of {limit} ({max_rows} rows of --max-rows at "
        "1 KiB a row); not read",
        "如确是这么大的花名册，用 --max-rows 提高上限（如 --max-rows {suggested}）；否则文件可能已损坏",
        "if the roster really is that large, raise the limit with --max-rows (such as --max-rows {suggested}); "
        "otherwise the file may be damaged"),
    "file.too-many-rows": Entry(
        "error", "有 {rows} 行，超过上限（--max-rows {max_rows} 行，另加至多 30 行标题和表头），未计算",
        "it has {rows} rows, more than the limit (--max-rows {max_rows}, plus up to 30 title and header rows); "
        "nothing is computed",
        "如确是这么大的花名册，用 --max-rows 提高上限（如 --max-rows {suggested}）",
        "if the roster really is that large, raise the limit with --max-rows (such as --max-rows {suggested})"),
    "file.inflates": Entry(
        "error", "文件中的「{part}」压缩比为 {ratio}:1，真实的表格不超过 {max_ratio}:1（疑似压缩炸弹），未读取",
        "the part '{part}' of the file claims a compression of {ratio}:1, where real spreadsheets stay under "
        "{max_ratio}:1 (a likely zip bomb); not read",
        "用 Excel 或 WPS 打开后另存为 .xlsx 再试；来源不明的文件不要打开",
        "open it in Excel or WPS and save it as .xlsx again; do not open files of unknown origin"),
    "file.too-wide": Entry(
        "error", "工作表宽达 {cols} 列（单元格 {cell}），花名册至多 {max_cols} 列，未读取",
        "the sheet is {cols} columns wide (cell {cell}); a roster has at most {max_cols} columns; not read",
        "删除 {cell} 等花名册右侧多余的单元格：选中花名册右侧的各列，整列删除后保存",
        "delete the stray cell {cell}: select the columns beyond the roster, delete them whole, and save"),
    "file.too-many-cells": Entry(
        "error", "工作表展开后为 {rows} 行 × {cols} 列（{cells} 个单元格），超过 --max-rows {max_rows} 允许的范围"
        "（至多 {max_rows} 行、{limit} 个单元格），未读取",
        "the sheet spans {rows} rows by {cols} columns ({cells} cells), more than --max-rows {max_rows} allows "
        "(at most {max_rows} rows and {limit} cells); not read",
        "删除花名册下方和右侧多余的行、列（选中后整行、整列删除）；如确是这么大的花名册，用 --max-rows 提高上限"
        "（如 --max-rows {suggested}）",
        "delete the stray rows and columns below and beyond the roster (select them and delete them whole); if the "
        "roster really is that large, raise the limit with --max-rows (such as --max-rows {suggested})"),
    "file.format": Entry(
        "error", "不支持的文件格式「{suffix}」", "unsupported file format '{suffix}'",
        "请提供 .xlsx、.xlsm、.xls、.ods 或 .csv 文件", "give a .xlsx, .xlsm, .xls, .ods or .csv file"),
    "file.sheet-not-found": Entry(
        "error", "工作表「{sheet}」不存在（现有：{sheets}）", "sheet '{sheet}' does not exist (present: {sheets})",
        "用 --sheet 指定正确的工作表名", "name an existing sheet with --sheet"),
    "roster.header-not-found": Entry(
        "error", "在前 {scanned} 行中找不到表头行（需要包含「{key}」等列名）",
        "no header row in the first {scanned} rows (one with {key} and similar column names)",
        "确认选对了工作表（现有：{sheets}，用 --sheet 指定），表头使用常见列名，或用 --map 原列名=字段 指定",
        "check the sheet (present: {sheets}; choose with --sheet), use the usual column names, "
        "or map yours with --map HEADER=FIELD"),
    "roster.map-not-found": Entry(
        "error", "--map 指定的列「{header}」不在表头中", "the column '{header}' given to --map is not in the header row",
        "核对列名的写法（含空格、全角字符）", "check how the header is written (spaces, full-width characters)"),
    "roster.column-absent": Entry(
        "warning", "没有「{column}」列，全部人员按{meaning_zh}计算", "there is no '{column}' column; everyone is taken as {meaning_en}",
        "如花名册有该信息，请使用列名 {aliases} 之一，或用 --map 指定",
        "if the roster has it, name the column one of {aliases}, or map it with --map"),
    "roster.field-absent": Entry(
        "warning", "没有「{column}」列（政策允许无此列），全部人员的该项按空白处理，由各条件对空白的规定决定是否发放",
        "there is no '{column}' column (the policy allows it to be absent); everyone's value is blank, and each "
        "condition's blank rule decides",
        "如花名册有该信息，请使用列名 {aliases} 之一，或用 --map 指定", "if the roster has it, name the column one of {aliases}, "
        "or map it with --map"),
    "roster.columns-ignored": Entry(
        "warning", "以下列未使用：{columns}{guess_zh}", "these columns are not used: {columns}{guess_en}",
        "如其中有应参与计算的列，请改用标准列名或用 --map 指定",
        "if one of them should count, rename it to a standard header or map it with --map"),
    "roster.cell-error": Entry(
        "error", "单元格是 Excel 错误值 {value}，本行不予发放", "the cell holds the Excel error {value}; this row pays nothing",
        "修正产生错误的公式，或填入实际值", "fix the formula that produced it, or type the real value"),
    "roster.formula-no-value": Entry(
        "error", "单元格是公式 {value}，但文件中没有它的计算结果（多为程序导出的文件），本行暂不发放",
        "the cell holds the formula {value} but the file has no result for it (usually a file written by a "
        "program, not by Excel); this row is held",
        "用 Excel 或 WPS 打开文件并保存一次（会算出结果），或把公式换成实际值",
        "open the file in Excel or WPS and save it once (which computes the results), or type the real value"),
    "roster.column-missing": Entry(
        "error", "缺少必需的列「{column}」（可用列名：{aliases}）",
        "required column '{column}' is missing (accepted names: {aliases})",
        "添加该列，或用 --map 原列名={column} 指定对应列",
        "add the column, or map an existing one with --map HEADER={column}"),
    "roster.column-twice": Entry(
        "error", "「{first}」和「{second}」两列都对应「{column}」",
        "columns '{first}' and '{second}' both mean '{column}'",
        "删除或改名其中一列", "delete or rename one of them"),
    "roster.row-skipped": Entry(
        "warning", "本行没有人员信息（计算用到的列均为空），不计入数据行：{value}",
        "the row has no person in it (every column used is blank) and is not counted: {value}",
        "如本行是人员，请补填姓名、身份证号等；如是合计或说明行，可忽略",
        "if it is a person, fill in the name, ID and so on; if it is a total or a note, ignore this"),
    "roster.total-row": Entry(
        "warning", "本行是{label}行，不计入数据行：{value}", "this is a totals row ({label}) and is not counted: {value}",
        "无需处理；如本行其实是人员，请改掉「{label}」字样", "nothing to do; if the row is a person, remove the word {label}"),
    "roster.signoff-row": Entry(
        "warning", "本行是签字或说明行（制表人、审核人、日期、盖章、备注、注等），不计入数据行：{value}",
        "this is a sign-off or note line (prepared by, checked by, date, stamp, notes …) and is not counted: {value}",
        "无需处理；如本行其实是人员，请填写姓名和身份证号", "nothing to do; if the row is a person, fill in the name and ID"),
    "roster.row-hidden": Entry(
        "warning", "本行在表格中被隐藏（或被筛选隐藏），仍按数据行计算", "the row is hidden (or filtered out) in the "
        "workbook and is still computed", "取消隐藏并核对；不应发放的人员请删除该行，而不是隐藏",
        "unhide it and check; delete the rows of people who should not be paid rather than hiding them"),
    "roster.sheet-hidden": Entry(
        "warning", "隐藏的工作表未读取", "the hidden sheet is not read",
        "如其中有人员，请取消隐藏，或用 --sheet 指定该表", "if it holds people, unhide it or name it with --sheet"),
    "roster.sheet-skipped": Entry(
        "warning", "工作表前 {scanned} 行中没有表头行（需含「{key}」等列名），未读取",
        "no header row (with {key} and similar names) in the sheet's first {scanned} rows; it is not read",
        "如是说明或汇总表可忽略；如有人员，请使用标准列名", "ignore it if it is a note or a summary; if it holds "
        "people, use the usual column names"),
    "roster.sheet-shape": Entry(
        "error", "本表的列与工作表「{first}」不同（多出：{more}；缺少：{fewer}），不能合并计算",
        "this sheet's columns differ from sheet '{first}' (extra: {more}; missing: {fewer}), so they cannot be "
        "read together", "使各表的列一致，或用 --sheet 逐表计算",
        "give every sheet the same columns, or compute one sheet at a time with --sheet"),
    "roster.row-width": Entry(
        "error", "本行有 {cells} 个单元格，多于表头的 {width} 列（多为某个值中含有未加引号的逗号），各值可能错列，本行暂不发放",
        "the row has {cells} cells, more than the {width} columns of the header (usually an unquoted comma inside "
        "a value), so its values may be under the wrong headers; the row is held",
        "在原表中去掉值里的逗号，或导出 CSV 时让含逗号的值带引号", "remove the comma from the value, or export the "
        "CSV with such values in quotes"),
    "roster.csv-quote": Entry(
        "error", "这一格含 {lines} 个换行和多个分隔符，像是引号没有闭合，把其后 {lines} 行吞进了这一格；那些行没有计入，本行暂不发放",
        "the cell holds {lines} line breaks and several separators, as if its opening quote were never closed and "
        "swallowed the {lines} lines after it; those lines are not counted and this row is held",
        "在 CSV 中找到这一格开头的引号 \" 并补上结尾的引号，或删去它", "find the quote \" that opens this cell in the CSV "
        "and close it, or remove it"),
    "roster.cell-too-long": Entry(
        "error", "单元格有 {length} 个字符，达到或超过 Excel 单元格的上限 32767，本行暂不发放",
        "the cell holds {length} characters, as many as an Excel cell can hold (32,767) or more; this row is held",
        "检查是否误粘贴了大段内容，只保留该列应有的值", "check for text pasted by mistake and keep only the column's value"),
    "roster.no-rows": Entry(
        "error", "表头以下没有数据行", "there are no data rows below the header",
        "确认选择了正确的工作表", "check that the right sheet is chosen"),
    # --- roster rows ---------------------------------------------------------
    "roster.id-missing": Entry(
        "error", "身份证号为空", "the ID number is blank",
        "填写 18 位身份证号", "fill in the 18-character ID number"),
    "roster.id-number": Entry(
        "error", "身份证号曾被 Excel 当作数字保存，末尾数位已丢失（{value}）",
        "Excel has once stored the ID number as a number and lost its last digits ({value})",
        "将该列设置为文本格式（或在号码前加英文单引号 '）后重新录入身份证号，不要猜测缺失的数位",
        "format the column as text (or start the number with an apostrophe ') and type the ID again; "
        "never guess the lost digits"),
    "roster.id-length": Entry(
        "error", "身份证号应为 18 位，实际 {length} 位", "the ID number has {length} characters, not 18",
        "核对是否漏位、多位或使用了 15 位旧号码", "check for missing or extra characters, or an old 15-digit number"),
    "roster.id-format": Entry(
        "error", "身份证号只能由 17 位数字和 1 位校验码（0-9 或 X）组成",
        "the ID number must be 17 digits and a check character (0-9 or X)",
        "删除空格、字母 O 等非法字符", "remove spaces, the letter O and other stray characters"),
    "roster.id-checksum": Entry(
        "error", "身份证号校验码错误（按 GB 11643 应为 {expected}）",
        "the ID number fails the GB 11643 checksum (the check character should be {expected})",
        "对照身份证原件逐位核对，通常是某一位录入错误",
        "compare it digit by digit with the ID card; usually one digit is mistyped"),
    "roster.code-missing": Entry(
        "error", "统一社会信用代码为空", "the unified social credit code is blank",
        "填写 18 位统一社会信用代码（见营业执照或登记证书）",
        "fill in the 18-character code (on the business licence or registration certificate)"),
    "roster.code-number": Entry(
        "error", "统一社会信用代码被 Excel 当作数字保存，末尾数位已丢失（{value}）",
        "Excel has stored the unified social credit code as a number and lost its last digits ({value})",
        "将该列设置为文本格式（或在代码前加英文单引号 '）后对照登记证书重新录入，不要猜测缺失的数位",
        "format the column as text (or start the code with an apostrophe ') and type it again from the "
        "certificate; never guess the lost digits"),
    "roster.code-format": Entry(
        "error", "统一社会信用代码应为 18 位数字或大写字母（不含 I、O、Z、S、V，第 3～8 位为数字），实际 {length} 位",
        "the unified social credit code must be 18 digits or capital letters (not I, O, Z, S or V; the 3rd to "
        "8th digits), and has {length} characters",
        "对照营业执照或登记证书核对，删除空格和多余字符；字母 O 多为数字 0", "compare it with the business licence or "
        "registration certificate and remove stray characters; a letter O is usually the digit 0"),
    "roster.code-checksum": Entry(
        "error", "统一社会信用代码校验码错误（按 GB 32100 第 18 位应为 {expected}）",
        "the unified social credit code fails the GB 32100 check (its 18th character should be {expected})",
        "对照营业执照或登记证书逐位核对，通常是某一位录入错误；不要只改第 18 位",
        "compare it character by character with the certificate; usually one is mistyped. Do not just change "
        "the 18th"),
    "roster.id-birth-date": Entry(
        "error", "身份证号中的出生日期「{birth}」不是有效日期",
        "the birth date '{birth}' inside the ID number is not a real date",
        "核对第 7 至 14 位", "check characters 7 to 14"),
    "roster.id-gender": Entry(
        "error", "性别「{value}」与身份证号不符（身份证号第 17 位表示{id_zh}），本行暂不发放",
        "gender '{value}' contradicts the ID number (its 17th digit means {id_en}); this row is held",
        "核对身份证号是否为本人的，或改正性别", "check that the ID number is this person's, or correct the gender"),
    "roster.id-birth-mismatch": Entry(
        "error", "出生日期「{value}」与身份证号中的出生日期 {in_id} 不符，本行暂不发放",
        "birth date '{value}' contradicts the birth date {in_id} in the ID number; this row is held",
        "核对身份证号是否为本人的，或改正出生日期", "check that the ID number is this person's, or correct the birth date"),
    "roster.birth-date-invalid": Entry(
        "warning", "无法识别的出生日期「{value}」，未与身份证号核对", "'{value}' is not a birth date and is not "
        "checked against the ID number", "写作 1985-06-15、1985年6月 或 1985.06", "write 1985-06-15, 1985年6月 or 1985.06"),
    "roster.gender-unknown": Entry(
        "warning", "无法识别的性别「{value}」", "'{value}' is not a gender",
        "填写「男」或「女」", "write 男 or 女"),
    "roster.id-region-unknown": Entry(
        "warning", "身份证号前 6 位「{region}」不是已知的行政区划代码（不影响发放）",
        "the first six digits '{region}' are not a known region code (payment is not withheld)",
        "核对前 6 位；如确认无误可忽略", "check the first six digits; ignore if they are right"),
    "roster.name-missing": Entry(
        "error", "姓名为空", "the name is blank", "填写姓名", "fill in the name"),
    "roster.name-invalid": Entry(
        "error", "姓名「{value}」不像人名（含数字、公式符号、括号、控制字符或其他符号），本行不予发放",
        "the name '{value}' is not a person's name (it holds digits, a formula sign, brackets, control "
        "characters or other symbols); this row pays nothing",
        "只填写本人姓名（少数民族姓名可用 · 分隔），备注等写到其他列",
        "write only the person's name (a minority name may use ·); put notes in another column"),
    "roster.level-missing": Entry(
        "error", "证书等级为空", "the certificate level is blank",
        "填写 {levels} 之一", "fill in one of {levels}"),
    "roster.level-unknown": Entry(
        "error", "证书等级「{value}」不是 {levels} 之一，本行不予发放",
        "certificate level '{value}' is not one of {levels}; this row pays nothing",
        "改为 {levels} 之一；其他证书不在补助范围内", "use one of {levels}; other certificates are not covered"),
    "roster.date-missing": Entry(
        "error", "{column}为空", "{column} is blank",
        "填写日期，如 2023-02-08", "fill in a date such as 2023-02-08"),
    "roster.date-imprecise": Entry(
        "error", "日期「{value}」只写到月份，而政策条件「{condition_zh}」按具体日期判断，该月不同日期结果不同",
        "the date '{value}' gives only a month, and the condition '{condition_en}' compares to the day: the answer "
        "depends on which day of that month it was",
        "写明具体日期，如 2024-08-20", "write the full date, such as 2024-08-20"),
    "roster.date-invalid": Entry(
        "error", "无法识别的日期「{value}」", "'{value}' is not a date",
        "写作 2023-02-08、2023/2/8、2023.02.08、2023年2月8日 或 2023年2月",
        "write 2023-02-08, 2023/2/8, 2023.02.08, 2023年2月8日 or 2023年2月"),
    "roster.date-ambiguous": Entry(
        "error", "日期「{value}」可能是 1 月，也可能是 10 月（Excel 把 2023.10 存成数字 2023.1，末尾的 0 已丢失），本行暂不发放",
        "the date '{value}' may be January or October (Excel stores a typed 2023.10 as the number 2023.1 and drops "
        "its trailing zero); this row is held",
        "把该列设置为文本格式，再写作 2023-10 或 2023-01（或 2023年10月）",
        "format the column as text, then write 2023-10 or 2023-01 (or 2023年10月)"),
    "roster.date-serial": Entry(
        "error", "「{value}」是 Excel 的日期序号，不是日期（多半是 {probable}：导出 CSV 时日期列被存成了数字），本行暂不发放",
        "'{value}' is an Excel date serial, not a date (probably {probable}: the date column was exported to CSV as "
        "numbers); this row is held",
        "在 Excel 中把该列设为日期格式后重新导出，或直接写作 {probable}",
        "format the column as dates in Excel and export again, or write {probable}"),
    "roster.date-implausible": Entry(
        "error", "{column}「{value}」早于 {earliest}，不可能是真实日期（多为单元格的日期格式把 2023.1、20231 之类的数字显示成了日期），本行暂不发放",
        "{column} '{value}' is before {earliest} and cannot be real (usually a date format showing a number such as "
        "2023.1 or 20231 as a date); this row is held",
        "把该格设为文本，写作 2023-10-01 这样的日期", "format the cell as text and write a date such as 2023-10-01"),
    "roster.yes-no-invalid": Entry(
        "error", "{column}「{value}」不是「是」或「否」", "{column} '{value}' is neither yes nor no",
        "填写 是 或 否（也可写 有/无、Y/N、√/×、1/0）", "write 是 or 否 (or 有/无, Y/N, √/×, 1/0)"),
    "roster.choice-unknown": Entry(
        "error", "{column}「{value}」不是政策列出的可选值，本行不予发放", "{column} '{value}' is not one of the values the policy lists; this row pays nothing",
        "应为 {choices} 之一；如是同一含义的其他写法，请在政策 fields 的 value_aliases 中加上",
        "use one of {choices}; if it is another spelling of one of them, add it under the field's value_aliases in the policy"),
    "roster.policy-check": Entry(
        "error", "{message_zh}（「{value}」），本行不予发放", "{message_en} ('{value}'); this row pays nothing",
        "按政策要求更正后重新计算（要求见政策文件的 checks）",
        "correct it as the policy requires and compute again (see checks in the policy file)"),
    "roster.number-missing": Entry(
        "error", "{column}为空", "{column} is blank", "填写数字，如 12 或 92.5",
        "fill in a number such as 12 or 92.5"),
    "roster.number-invalid": Entry(
        "error", "「{value}」不是数字", "'{value}' is not a number",
        "只填数字，如 12 或 92.5；不要带单位或文字", "write a plain number such as 12 or 92.5, with no unit or words"),
    "roster.number-ignored": Entry(
        "warning", "「{value}」不是数字，按空白处理（是否发放不取决于此项）",
        "'{value}' is not a number and is read as blank (whether anyone is paid does not depend on it)",
        "只填数字，如 12 或 92.5；不要带单位或文字", "write a plain number such as 12 or 92.5, with no unit or words"),
    "roster.level-ignored": Entry(
        "warning", "证书等级「{value}」不是 {levels} 之一，按空白处理", "certificate level '{value}' is not one of "
        "{levels} and is read as blank", "应为 {levels} 之一，或留空", "use one of {levels}, or leave it blank"),
    "roster.value-required": Entry(
        "error", "{column}为空，本行不予发放", "{column} is blank; this row pays nothing",
        "填写{column}", "fill in {column}"),
    "roster.candidate-value-missing": Entry(
        "error", "{column}为空：本行填有评审得分，是本届评选的候选人，评选需要此项；本行暂不发放",
        "{column} is blank: the row has a score, so it is a candidate in this selection, which needs it; the row is held",
        "填写{column}；不参评的人员（如往届称号获得者）评审得分留空",
        "fill in {column}; for someone who is not a candidate (such as an earlier cycle's title holder), leave the score blank"),
    "roster.leave-before-hire": Entry(
        "error", "离职日期 {left} 早于入职日期 {hired}", "leaving date {left} is before hire date {hired}",
        "核对入职、离职日期", "check the hire and leaving dates"),
    "roster.value-missing": Entry(
        "warning", "{column}为空，依赖该列的条件按不符合处理（可能因此不予发放）",
        "{column} is blank; conditions on it are not met (the row may not be paid for that)",
        "补填后重新计算", "fill it in and compute again"),
    "roster.duplicate": Entry(
        "error", "与{first_zh}重复（{same_zh}），本行不予发放",
        "duplicates {first_en} ({same_en}); this row pays nothing",
        "删除重复行；同一人不同等级的证书请分行填写不同等级",
        "delete the duplicate; a person's certificates at other levels go on rows with their own level"),
    "roster.number-as-text-lost": Entry(
        "error", "{column}以数字格式保存，超过 15 位的数位已丢失（{value}），本行暂不发放",
        "{column} is stored as a number and its digits past the 15th are lost ({value}); this row is held",
        "将该列设置为文本格式后重新录入", "format the column as text and type it again"),
    "roster.person-conflict": Entry(
        "error", "与{first_zh}同一身份证号，但{column}不同（「{first}」与「{value}」），本行不予发放",
        "same ID number as {first_en} but a different {column} ('{first}' and '{value}'); this row pays nothing",
        "同一人的各行应填写相同的{column}；核对后改正", "a person's rows must agree on {column}; check and correct"),
    "roster.too-many-nominees": Entry(
        "error", "{column}「{value}」推荐了 {count} 人，超过「{rule}」每个{column}至多 {max} 人的推荐名额；该{column}的推荐均暂不参评",
        "{column} '{value}' nominated {count} people, more than the {max} per {column} that '{rule}' allows; all its "
        "nominees are held",
        "由推荐单位或评审委员会决定撤回哪几人，从花名册中删去多出的行后重新计算（swtalent 不按行序替人取舍）",
        "the unit or the committee decides whom to withdraw; delete the extra rows and compute again (swtalent does not "
        "choose by row order)"),
    "roster.personal-number": Entry(
        "warning", "「{column}」中有疑似身份证号或银行账号的数字，公示名单中已遮盖",
        "'{column}' holds digits that look like an ID number or a bank account; they are masked in the public notice",
        "身份证号、银行账号请填在各自的列中，不要写进「{column}」", "put ID numbers and bank accounts in their own "
        "columns, not in '{column}'"),
    "roster.record-not-whole": Entry(
        "error", "{column}「{value}」不是 0 或正整数：服务记录按件（次、人）计分，本行暂不参评",
        "{column} '{value}' is not 0 or a whole number: a service record counts whole items; the row is held",
        "填写整数件数，如 12；空白按 0 件计", "write a whole count such as 12; a blank counts as 0"),
    # --- judges' score sheets (--scores) ---------------------------------------
    "scores.sheet-not-found": Entry(
        "error", "评分表中没有「{rule}」所需的工作表「{sheet}」（现有：{sheets}）",
        "the score workbook has no sheet '{sheet}' for '{rule}' (present: {sheets})",
        "按政策评分来源中写明的名称给工作表命名，或在政策中改为现有的工作表名",
        "name the sheet as the policy's score says under sheet, or name an existing sheet there"),
    "scores.sheet-hidden": Entry(
        "warning", "评分表中隐藏的工作表未读取", "the hidden sheet of the score workbook is not read",
        "如其中有评委的打分，请取消隐藏", "if it holds judges' scores, unhide it"),
    "scores.header-not-found": Entry(
        "error", "在前 {scanned} 行中找不到评分表的表头行（需要「姓名」或「身份证号」列）",
        "no header row in the first {scanned} rows of the score sheet (one with 姓名 or 身份证号)",
        "长表写「评委、姓名、得分」三列，宽表写「姓名」列和每位评委一列",
        "a long sheet has the columns 评委, 姓名, 得分; a wide one has 姓名 and a column per judge"),
    "scores.columns-ignored": Entry(
        "warning", "评分表的以下列未使用：{columns}（得分由本程序按政策计算）",
        "these columns of the score sheet are not used: {columns} (the score is computed here, as the policy says)",
        "无需处理；如其中有评委的打分，请改用评委名称作列名", "nothing to do; if one holds a judge's scores, "
        "head it with the judge's name"),
    "scores.not-a-number": Entry(
        "error", "评委「{judge}」给出的得分「{value}」不是数字，该候选人暂不参评",
        "judge '{judge}' gave '{value}', which is not a number; the candidate is held",
        "填写数字；评委回避的写「回避」", "write a number; for a judge who stood aside, write 回避"),
    "scores.out-of-range": Entry(
        "error", "评委「{judge}」给出的得分 {value} 不在政策规定的 {low}～{high} 分之间，该候选人暂不参评",
        "judge '{judge}' gave {value}, outside the policy's range of {low} to {high}; the candidate is held",
        "核对评分表原件，改正录入错误", "check the judge's paper sheet and correct the typing"),
    "scores.scored-twice": Entry(
        "error", "评委「{judge}」对「{candidate}」打了两次分（另见 {first} 单元格），该候选人暂不参评",
        "judge '{judge}' scored '{candidate}' twice (see also cell {first}); the candidate is held",
        "删除重复的一行或一列（同一评委的名字写法不同也算同一人，如「评委一」「评委 1」）；如两次分数不同，按评审记录确认",
        "delete the repeated row or column (one judge's name spelled two ways is one judge: 评委一, 评委 1); "
        "if the two differ, settle it from the panel's record"),
    "scores.judge-missing": Entry(
        "error", "评委「{judge}」没有给「{candidate}」打分，该候选人暂不参评",
        "judge '{judge}' gave '{candidate}' no score; the candidate is held",
        "补录该评委的得分；评委回避的在该格写「回避」", "type the judge's score; for a judge who stood aside, write 回避 "
        "in the cell"),
    "scores.too-few-judges": Entry(
        "error", "「{candidate}」只有 {count} 位评委打分，少于政策规定的 {min} 位，该候选人暂不参评",
        "'{candidate}' was scored by {count} judges, fewer than the {min} the policy requires; the candidate is held",
        "补录缺少的评分，或由评审委员会决定", "type the missing scores, or refer it to the committee"),
    "scores.candidate-unknown": Entry(
        "error", "评分表中的「{value}」不在花名册中，其得分未使用",
        "'{value}' in the score sheet is not in the roster; the scores are not used",
        "核对姓名或身份证号的写法；如是候选人，补入花名册", "check how the name or ID is written; if a candidate, add "
        "them to the roster"),
    "scores.candidate-ambiguous": Entry(
        "error", "评分表中的「{value}」在花名册中有 {count} 人同名，无法确定是谁的得分",
        "'{value}' in the score sheet names {count} people of the roster; whose scores they are is unclear",
        "在评分表中加上「身份证号」列", "add an 身份证号 column to the score sheet"),
    "scores.candidate-unscored": Entry(
        "error", "本行是「{rule}」的候选人，但评分表中没有其得分，暂不参评",
        "the row is a candidate of '{rule}' but the score sheet holds no scores for it; the row is held",
        "补录该候选人的评分；不参评的人员请从候选人名单中删去", "type the candidate's scores; delete from the candidate "
        "list anyone who is not a candidate"),
    "scores.not-shortlisted": Entry(
        "warning", "「{value}」未进入「{rule}」第二轮（第一轮未入围），评分表中其得分未使用",
        "'{value}' did not go through to the second round of '{rule}' (not shortlisted in the first); the scores "
        "are not used",
        "核对评分表是否用错了名单；如第一轮数据有误，更正后重新计算", "check the sheet was for the shortlist; if the first "
        "round's data are wrong, correct them and compute again"),
    "output.write-failed": Entry(
        "error", "无法写入输出文件：{detail_zh}；本次的输出文件均未替换", "cannot write the output file: {detail_en}; none "
        "of this run's outputs was replaced",
        "关闭在 Excel 中打开的同名文件，或换一个有写入权限的文件夹",
        "close the file if it is open in Excel, or choose a folder you can write to"),
    "output.not-restored": Entry(
        "error", "替换失败后未能恢复原文件（{detail}）；原文件保存在「{old}」", "after the failed replacement the old file "
        "could not be put back ({detail}); it is kept as '{old}'", "关闭占用该文件的程序后，把「{old}」改回原名",
        "close the program holding the file, then rename '{old}' back"),
    "output.busy": Entry(
        "error", "另一次运行正在写入此文件（进程 {pid}，计算机 {host}，开始于 {since}：{command}）",
        "another run is writing this file (process {pid} on {host}, since {since}: {command})",
        "等那次运行结束后再试；进程结束时锁会自动解除，无需手工删除任何文件",
        "try again when that run has finished; a lock ends with its process, so nothing needs deleting by hand"),
    # --- ledger ---------------------------------------------------------------
    "ledger.unreachable": Entry(
        "error", "无法打开发放账本：{detail}", "cannot open the payment ledger: {detail}",
        "检查 --ledger 或环境变量 SWTALENT_LEDGER 的地址、数据库服务是否在运行、用户名和权限",
        "check the address in --ledger or SWTALENT_LEDGER, that the database server is running, the user and its rights"),
    "ledger.too-new": Entry(
        "error", "发放账本由更新版本的 swtalent 写入（结构版本 {version}），本版本不能读取",
        "the ledger was written by a newer swtalent (schema version {version}) and this version cannot read it",
        "升级 swtalent 后再试", "upgrade swtalent and try again"),
    "ledger.taken": Entry(
        "error", "{name}（{value}）的「{rule}」{claim_zh}已由批次 {batch} 发放（另一次提交抢先记入），本批次未记入账本，输出文件未替换",
        "'{rule}', {claim_en}, for {name} ({value}) is paid by batch {batch} (another commit came first); this batch is "
        "not recorded and no output was replaced",
        "重新运行 swtalent compute --commit：已发放的部分会自动扣除", "run compute --commit again: what is paid is left out"),
    "ledger.imported": Entry(
        "error", "{value} 的「{rule}」{claim_zh}已由批次 {batch} 记入账本（这份记录导入过，或已由 swtalent 发放），本次导入未记入",
        "'{rule}', {claim_en}, for {value} is already in the ledger as batch {batch} (the file was imported before, or "
        "swtalent paid it); nothing of this import is recorded",
        "从文件中删去已记入的行后再导入（swtalent ledger export 可列出账本已有的发放）",
        "remove the rows already recorded and import again (ledger export lists what the ledger holds)"),
    "ledger.unknown-names": Entry(
        "warning", "账本中有按本政策文件已没有的规则（{rules}）或等级（{levels}）发放的记录；如是改了名，那些已发放的项目不会被认出，可能重复发放",
        "the ledger holds payments under rules ({rules}) or levels ({levels}) this policy file no longer has; if they "
        "were renamed, what they paid is not recognised and may be paid again",
        "把规则编号和等级键改回原名（名称 title/name 可改），或先核对后再 --commit",
        "give the rule ids and level keys their old names back (titles and names may change), or check before --commit"),
    "ledger.no-batch": Entry(
        "error", "账本中没有批次「{batch}」", "there is no batch '{batch}' in the ledger",
        "用 swtalent ledger list 查看批次编号", "see the batch ids with swtalent ledger list"),
    "ledger.no-reason": Entry(
        "error", "作废或退票必须写明原因", "a void or a return needs a reason",
        "加上 --reason \"原因\"", "add --reason \"why\""),
    "ledger.already-void": Entry(
        "error", "批次「{batch}」的各行均已冲销，无可作废", "every line of batch '{batch}' is reversed already; nothing to void",
        "用 swtalent ledger show {batch} 查看", "see swtalent ledger show {batch}"),
    "ledger.nothing-to-return": Entry(
        "error", "批次「{batch}」中没有身份证号 {person} 未冲销的发放行", "batch '{batch}' has no line of {person} that is not "
        "reversed already", "核对批次编号和身份证号（用 swtalent ledger show {batch} 查看）", "check the batch id and the ID number (ledger show {batch})"),
    "ledger.failed": Entry(
        "error", "记入账本失败：{detail}；本批次未记入，输出文件未替换", "the ledger refused the batch: {detail}; nothing is "
        "recorded and no output was replaced", "重新运行；如反复出现，请把这条信息报告给维护者",
        "run again; if it happens again, report this message"),
    "ledger.voided-for-outputs": Entry(
        "error", "批次 {batch} 已记入账本，但输出文件未能替换，已自动作废该批次（原因：{detail}）",
        "batch {batch} was recorded but its output files could not be put in place, so it was voided at once ({detail})",
        "关闭在 Excel 中打开的输出文件后重新运行 swtalent compute --commit", "close the output files if open in Excel and run compute --commit again"),
    "ledger.import-row": Entry(
        "error", "往期发放记录无法记入账本：{detail_zh}", "the earlier payment cannot be recorded: {detail_en}",
        "按 往期名单 的列填写：身份证号、规则编号、等级、年度、月数、金额；按月发放的行还需 期间（如 2023-01..2023-06）",
        "use the previous-file columns: person_id, rule_id, level, year, months, amount; monthly rows also need a "
        "period such as 2023-01..2023-06"),
    "previous.column-missing": Entry(
        "error", "往期名单缺少「{column}」列", "the previous file has no '{column}' column",
        "需要 身份证号（或 person_id）；按年度计算的规则还需要 年度（或 year）；可选 规则编号（或 rule_id）、等级、月数、金额",
        "it needs 身份证号 (or person_id); rules that count years also need 年度 (or year); optionally "
        "规则编号 (rule_id), level, months, amount"),
    "previous.id-invalid": Entry(
        "error", "往期名单中的身份证号「{value}」无效（长度或校验码不对）",
        "the ID number '{value}' in the previous file is not valid (length or checksum)",
        "核对并改正；否则往期的发放或入选不会计入", "check and correct it, or the earlier payment or win is not counted"),
    "previous.year-invalid": Entry(
        "error", "往期名单中的年度「{value}」无法识别", "'{value}' in the previous file is not a year",
        "写作 2021 这样的四位年份", "write a four-digit year such as 2021"),
    "previous.number-invalid": Entry(
        "error", "往期名单中的「{value}」不是有效的数（金额应不小于 0，月数应为非负整数）",
        "'{value}' in the previous file is not a valid number (amounts 0 or more, months a whole number 0 or more)",
        "月数写整数，金额写如 1000.00 的数字", "write months as a whole number and amounts like 1000.00"),
    "previous.id-missing": Entry(
        "error", "往期名单本行有内容但没有身份证号，无法计入任何人", "the row holds a payment but no ID number, so it counts for no one",
        "补上身份证号，或删除该行", "fill in the ID number, or delete the row"),
    "scenario.invalid": Entry(
        "error", "场景文件有误：{detail_zh}", "scenario file problem: {detail_en}",
        "格式见 docs/policy-guide.md 的「Scenario tests」一节", "see 'Scenario tests' in docs/policy-guide.md"),
    # --- policy file ---------------------------------------------------------
    "policy.candidates-rule-kind": Entry(
        "error", "本政策的评选对象是机构（candidates: organisations），只能写评选奖励（kind: award）；规则「{rule}」不是评选奖励",
        "this policy's candidates are organisations (candidates: organisations), whose rules are awards (kind: award) "
        "only; rule '{rule}' is not an award",
        "按证书、在岗月数发给个人的补贴另写一个政策文件（candidates 默认为 people）",
        "put allowances paid to people by certificate or months in post in a policy file of their own (candidates "
        "is people by default)"),
    "policy.not-found": Entry(
        "error", "找不到政策文件", "policy file not found", "检查政策文件的路径", "check the policy file's path"),
    "policy.unreadable": Entry(
        "error", "无法读取政策文件：{detail}", "cannot read the policy file: {detail}",
        "确认这是一个以 UTF-8 编码保存的 .yaml 文本文件", "check that it is a .yaml text file saved as UTF-8"),
    "policy.yaml-syntax": Entry(
        "error", "YAML 语法错误：{detail}", "YAML syntax error: {detail}",
        "检查缩进、冒号和引号", "check indentation, colons and quotes"),
    # The limits of policy/yamlsource.py (MAX_BYTES and the rest); fixed, so no hint offers to raise them.
    "policy.not-a-file": Entry(
        "error", "这不是普通文件（是{kind_zh}），不予读取", "this is not a regular file (it is {kind_en}) and is not read",
        "给出 .yaml 政策文件本身的路径；文件夹、管道和设备文件一律不读",
        "give the path of the .yaml file itself; folders, pipes and devices are never read"),
    "policy.too-large": Entry(
        "error", "文件有 {size} 字节，超过上限 {limit} 字节", "the file has {size} bytes, more than the limit of {limit} bytes",
        "政策文件通常只有几 KB，此上限固定不变；确认选对了文件",
        "policy files are a few KB and this limit is fixed; check that this is the right file"),
    "policy.too-deep": Entry(
        "error", "嵌套超过 {limit} 层", "nested more than {limit} levels deep",
        "政策文件的嵌套不超过 7 层，此上限固定不变；检查缩进和括号是否成对",
        "policy files nest at most 7 levels and this limit is fixed; check the indentation and that brackets pair up"),
    "policy.too-many-aliases": Entry(
        "error", "YAML 别名（*名称）超过 {limit} 个", "more than {limit} aliases (*name)",
        "此上限固定不变；把重复的内容直接写出，或少用 YAML 别名", "this limit is fixed; write the repeated parts out, or use fewer aliases"),
    "policy.alias-loop": Entry(
        "error", "YAML 别名 *{alias} 引用了包含它自身的内容，展开后没有尽头",
        "alias *{alias} refers to what contains it, so it never ends",
        "别名只能引用在它之前已经写完的锚点 &{alias}", "an alias may refer only to an anchor &{alias} whose value ends before it"),
    "policy.too-many-nodes": Entry(
        "error", "键和值超过 {limit} 个（别名按展开后的内容计）",
        "more than {limit} keys and values (an alias counting as all it stands for)",
        "政策文件通常只有几百个键和值，此上限固定不变；多见于层层引用的 YAML 别名（「别名炸弹」），请删除这些别名",
        "policy files hold a few hundred keys and values and this limit is fixed; this usually comes from aliases of "
        "aliases (an alias bomb): remove them"),
    "policy.duplicate-key": Entry(
        "error", "键「{key}」重复出现（首次在第 {first_line} 行）",
        "key '{key}' appears twice (first on line {first_line})",
        "删除其中一个", "remove one of them"),
    "policy.unknown-key": Entry(
        "error", "未知的键「{key}」{suggestion_zh}", "unknown key '{key}'{suggestion_en}",
        "删除或更正该键；可用的键：{allowed}", "remove or correct it; allowed keys: {allowed}"),
    "policy.missing-key": Entry(
        "error", "缺少必填的键「{key}」", "required key '{key}' is missing",
        "补上该键", "add it"),
    "policy.invalid-value": Entry(
        "error", "取值无效：{detail_zh}", "invalid value: {detail_en}"),
    "policy.unknown-level": Entry(
        "error", "等级「{level}」未在 levels 中声明", "level '{level}' is not declared under levels",
        "在 levels 中声明，或改为 {levels} 之一", "declare it under levels, or use one of {levels}"),
    "policy.level-without-amount": Entry(
        "error", "等级「{level}」没有金额", "level '{level}' has no amount",
        "在 amounts 下为每个等级给出金额（不发放写 0）", "give every level an amount under amounts (0 if none)"),
    "policy.duplicate-rule": Entry(
        "error", "规则编号「{rule}」重复", "rule id '{rule}' is used twice",
        "每条规则使用不同的 id", "give each rule its own id"),
    "policy.dates-out-of-order": Entry(
        "error", "日期值应按 from 从早到晚排列且不重复", "dated values must be in increasing order of 'from', without repeats",
        "按日期排序", "sort them by date"),
    "policy.before-in-force": Entry(
        "error", "金额生效日期 {date} 早于政策施行日期 {in_force}", "value dated {date} is before the policy is in force ({in_force})",
        "改为不早于 in_force_from 的日期", "use a date on or after in_force_from"),
    "policy.cycle-before-amount": Entry(
        "error", "首次评选（{day}）早于政策施行日期 {in_force} 或金额生效日期 {amount_from}",
        "the first selection ({day}) is before the policy is in force ({in_force}) or the amount applies "
        "({amount_from})", "调整 cycle.first_year，或让金额的 from 不晚于首次评选",
        "move cycle.first_year, or date the amount no later than the first selection"),
    "policy.tie-break-twice": Entry(
        "error", "同分排序键「{key}」重复", "tie-break key '{key}' is listed twice", "删除重复的一项", "remove the repeat"),
    "policy.source-missing": Entry(
        "warning", "没有注明政策出处（source）", "the policy does not say where it was published (source)",
        "在 source 中写明文件名称、文号或报道出处，便于审核", "name the document, its number or the report in source, for the auditor"),
    "policy.clause-missing": Entry(
        "warning", "规则「{rule}」没有引用政策条款（clause）", "rule '{rule}' quotes no clause of the policy (clause)",
        "在 clause 中摘录该规则依据的原文，发放表和计算依据会引用它",
        "quote the policy text the rule rests on under clause; the payroll and the basis sheet print it"),
    "policy.unknown-award": Entry(
        "error", "award「{award}」不是本政策中排在此规则之前的评选规则（现有：{awards}）",
        "award '{award}' is not an award rule listed before this rule (present: {awards})",
        "写上称号所属评选规则的 id，并把该评选规则排在前面", "name the id of the award rule the title comes from, listed first"),
    "policy.needs-pay-month": Entry(
        "error", "min_consecutive_months 只能用于按年发放的规则（需同时设置 pay_month）",
        "min_consecutive_months works only for a rule paid once a year (set pay_month too)",
        "加上 pay_month（如 12），或删除 min_consecutive_months；按月计算时每期月数太少，连续月数无从判断",
        "add pay_month (such as 12) or remove min_consecutive_months: a monthly run holds too few months to count a run"),
    "policy.needs-key": Entry(
        "error", "写了「{key}」，还须写明「{needed}」", "'{key}' needs '{needed}' as well",
        "补上「{needed}」：{choices_zh}", "add '{needed}': {choices_en}"),
    "policy.key-unused": Entry(
        "error", "「{key}」只在{when_zh}时使用，此处不起作用", "'{key}' applies only {when_en}; here it does nothing",
        "删除该键，或补上与它配合的键", "remove it, or add the key it goes with"),
    "policy.keys-exclusive": Entry(
        "error", "「{first}」和「{second}」只能写一个", "'{first}' and '{second}' exclude each other",
        "按政策原文保留其中一个", "keep the one the policy text says"),
    "policy.unknown-group-field": Entry(
        "error", "「{field}」不是可用于{use_zh}的字段{suggestion_zh}", "'{field}' is not a field {use_en} can count "
        "by{suggestion_en}", "可用：{fields}（或在 fields 下声明本政策自己的文本、选项列）",
        "available: {fields} (or declare the policy's own text or choice column under fields)"),
    "policy.quota-value-unknown": Entry(
        "error", "「{value}」不是字段「{field}」的取值（{values}）", "'{value}' is not a value of the field '{field}' "
        "({values})", "写该字段 values 中的值", "use one of the field's values"),
    "policy.wait-needs-hire-date": Entry(
        "error", "等待期（wait_months）需要入职日期，但 blank_hire_date 为 in_post：入职日期为空会被当作一直在岗，"
        "漏填日期的新入职人员将立即领取",
        "a waiting period (wait_months) needs the hire date, but blank_hire_date is in_post: a blank date would count "
        "as in post all along, and a new hire whose date was left out would be paid at once",
        "改为 blank_hire_date: held（入职日期为空的行暂不发放，待补填）",
        "write blank_hire_date: held (a row with a blank hire date is held until it is filled)"),
    "policy.alias-not-a-value": Entry(
        "error", "aliases 中的「{value}」不是{owner_zh} values 中的值（现有：{values}）",
        "'{value}' under aliases is not one of the {owner_en} values ({values})",
        "aliases 的键须与 values 中的某个值完全相同", "each key under aliases must be exactly one of the values"),
    "policy.unknown-field": Entry(
        "error", "「{field}」不是此处可用的花名册字段，也未在 fields 中声明{suggestion_zh}",
        "'{field}' is not a roster field usable here, nor declared under fields{suggestion_en}",
        "可用：{fields}；其他列请先在 fields 中声明（名称、别名、类型）",
        "available: {fields}; declare any other column under fields first (name, aliases, type)"),
    "policy.field-not-usable": Entry(
        "error", "「{field}」是{what_zh}，不能用于{use_zh}", "'{field}' is {what_en} and cannot be used in {use_en}",
        "此处可用：{fields}", "usable here: {fields}"),
    "policy.op-for-type": Entry(
        "error", "运算「{op}」不适用于{type_zh}字段「{field}」", "the operator '{op}' does not apply to the {type_en} field '{field}'",
        "该类字段可用：{ops}", "such a field takes: {ops}"),
    "policy.condition-shape": Entry(
        "error", "条件写法有误：{detail_zh}", "the condition is not well formed: {detail_en}",
        "写法见 docs/policy-guide.md 的「Conditions」一节", "see 'Conditions' in docs/policy-guide.md"),
    "policy.condition-never": Entry(
        "error", "条件永远不能满足：{detail_zh}", "the conditions can never hold: {detail_en}",
        "核对上下限、取值和 not；按此写法任何人都不会发放", "check the bounds, values and not: as written, nobody is ever paid"),
    "policy.blank-under-not": Entry(
        "warning", "not 之内的 blank: passes 会把「{field}」为空的行排除在外：空白先使内层条件成立，not 再把它变为不成立，"
        "与字面意思相反",
        "blank: passes inside a not excludes the rows where '{field}' is blank: the blank makes the inner condition "
        "hold, and the not then makes it fail, the opposite of what it reads",
        "要让空白行通过整个条件，在 not 之内保留 blank: fails（默认值，不写即可）",
        "to let a blank row through the whole condition, keep blank: fails (the default) inside the not"),
    "policy.field-reserved": Entry(
        "error", "自定义字段不能命名为「{key}」：这是内置字段或系统使用的名称",
        "a field of the policy cannot be called '{key}': the name is a built-in field or one swtalent uses",
        "换一个键名（如 hukou、insured_months）；内置字段无需声明，可在 columns 中加别名",
        "choose another key (such as hukou, insured_months); built-in fields need no declaring, give them aliases under columns"),
    "policy.field-header-taken": Entry(
        "error", "字段「{key}」的列名「{header}」已是{owner_zh}的列名，同一列不能读作两个字段",
        "the header '{header}' of the field '{key}' already names {owner_en}; one column cannot be two fields",
        "换一个列名；要让内置字段认出更多列名，把它们写在 columns 下（如 columns: {{unit: [服务单位名称]}}），不必在 fields 中声明",
        "choose another header; to give a built-in field more header names, list them under columns "
        "(columns: {{unit: [服务单位名称]}}) instead of declaring a field"),
    "policy.field-unused": Entry(
        "warning", "fields 中声明的字段「{key}」没有被任何条件、检查、排序、名额或金额表使用",
        "the field '{key}' declared under fields is used by no condition, check, tie-break, quota or amount table",
        "使用它，或删除该声明（声明为 required 的字段会要求花名册有此列）",
        "use it or remove it (a required field makes the roster need the column)"),
    "policy.alias-twice": Entry(
        "error", "名称「{alias}」同时属于等级 {first} 和 {second}", "name '{alias}' belongs to both levels {first} and {second}",
        "每个名称只能对应一个等级", "a name may belong to one level only"),
    "policy.until-before-from": Entry(
        "error", "qualified_until（{until}）早于 {since_key}（{since}），没有可以补助的取证日期",
        "qualified_until ({until}) is before {since_key} ({since}), so no qualifying date is paid",
        "核对两个日期：qualified_until 是最后一个可补助的取证日期，应不早于 {since_key}",
        "check both dates: qualified_until is the last qualifying date paid and must be on or after {since_key}"),
    "policy.not-a-choice": Entry(
        "error", "「{value}」不是字段 {field} 的可选值（现有：{values}），花名册中不会出现",
        "'{value}' is not one of the choices of field {field} ({values}), so no roster row can hold it",
        "写该字段 values 中的值；其他写法由该字段的 value_aliases 认出",
        "write one of the field's values; other spellings are recognised through its value_aliases"),
    "policy.value-twice": Entry(
        "error", "写法「{value}」同时指向{owner_zh}的「{first}」和「{second}」",
        "the spelling '{value}' names both '{first}' and '{second}' of the {owner_en}",
        "每种写法（含全角、半角之别）只能对应一个值：删除或合并其中一个",
        "a spelling (full-width and half-width forms alike) may name one value only: remove or merge one"),
    "policy.value-repeated": Entry(
        "error", "字段「{field}」的值「{value}」重复出现（全角、半角视为同一写法）",
        "the value '{value}' of the field '{field}' is listed twice (full-width and half-width forms alike)",
        "删除重复的一项", "remove the repeat"),
    "policy.value-is-alias": Entry(
        "error", "「{value}」是「{main}」的别名，{place_zh}中请写「{main}」",
        "'{value}' is an alias of '{main}'; write '{main}' in the {place_en}",
        "字段「{field}」的单元格写「{value}」时读作「{main}」，写别名的{place_zh}永远对不上",
        "a cell of the field '{field}' reading '{value}' is read as '{main}', so a {place_en} naming the alias "
        "never matches"),
    "policy.score-unknown-field": Entry(
        "error", "评分来源中的「{field}」不是花名册的数字列{suggestion_zh}",
        "'{field}' in the score source is not a number column of the roster{suggestion_en}",
        "可用：{fields}；服务记录等列先在 fields 下声明为数字列",
        "available: {fields}; declare a column such as a service record under fields first (type: number)"),
    "policy.score-source-shape": Entry(
        "error", "评分来源有误：{detail_zh}", "the score source is wrong: {detail_en}",
        "见政策编写指南「评分来源」一节", "see the policy guide's section on score sources"),
    "policy.shortlist-below-quota": Entry(
        "error", "第一轮入围人数 {value} 少于名额 {quota}：入围者不够评选", "the first round's shortlist of {value} is "
        "fewer than the quota of {quota}: too few go through to fill it",
        "把 shortlist 改为不少于 quota 的人数", "make shortlist at least the quota"),
    "policy.amount-implausible": Entry(
        "warning", "金额 {value} 元超过{kind_zh}的合理上限 {limit} 元",
        "the amount of {value} yuan is more than the plausible maximum of {limit} yuan for {kind_en}",
        "核对是否多写了 0；如金额无误，在文件顶层的 plausible_max 下用 {kind} 键放宽上限",
        "check for an extra 0; if the amount is right, raise the bound with {kind} under the top-level plausible_max"),
}


def os_error_words(exc: BaseException) -> dict[str, str]:
    """What the system said of a failed write, as detail_zh / detail_en: the usual causes in Chinese
    (no permission, disk full …), anything else with the system's own words."""
    import errno

    said = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    zh = {errno.EACCES: "没有写入权限，或文件正被其他程序占用", errno.EPERM: "没有写入权限，或文件正被其他程序占用",
          errno.ENOSPC: "磁盘空间已满", errno.EROFS: "磁盘或文件夹只读", errno.ENOENT: "文件夹不存在",
          errno.EBUSY: "文件正被其他程序占用", errno.EDQUOT: "磁盘配额已用完"}.get(getattr(exc, "errno", None))
    return {"detail_zh": zh or f"系统报告「{said}」", "detail_en": said}


def cell_name(col: int, row: int) -> str:
    """Excel's name of a cell from its 1-based column and row: (3, 7) -> C7."""
    letters = ""
    while col:
        col, r = divmod(col - 1, 26)
        letters = chr(65 + r) + letters
    return f"{letters}{row}"


@dataclass(frozen=True)
class Location:
    """Where a problem is, as the person fixing it would look for it."""

    file: str = ""
    sheet: str = ""
    row: int | None = None  # the row number Excel shows
    column: str = ""  # the header as written in the file
    line: int | None = None  # policy files: 1-based line and column
    col: int | None = None  # policy files: 1-based column in the line; rosters: the sheet column, 1-based
    path: str = ""  # policy files: the key path, e.g. rules[1].amounts.senior

    @property
    def cell(self) -> str:
        """A roster cell as Excel names it (C7), when the column is known."""
        if self.line is not None or self.col is None or self.row is None:
            return ""
        return cell_name(self.col, self.row)

    def render(self, lang: Lang = "zh") -> str:
        if self.line is not None:
            head = f"{self.file}:{self.line}:{self.col}"
            return f"{head} {self.path}".strip()
        parts = [self.file] if self.file else []
        if self.sheet:
            parts.append(f"工作表「{self.sheet}」" if lang == "zh" else f"sheet '{self.sheet}'")
        if self.row is not None:
            parts.append(f"第 {self.row} 行" if lang == "zh" else f"row {self.row}")
        if self.column:
            parts.append(f"「{self.column}」列" if lang == "zh" else f"column '{self.column}'")
        if lang == "zh":  # roster.xlsx 工作表「花名册」第 3 行「性别」列
            return " ".join(filter(None, (self.file, "".join(parts[1 if self.file else 0:]))))
        return ", ".join(parts)


@dataclass(frozen=True)
class Issue:
    code: str
    location: Location = field(default_factory=Location)
    value: str = ""
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def make(cls, code: str, location: Location | None = None, value: object = "", **params: object) -> Issue:
        if code not in CATALOGUE:
            raise KeyError(f"undocumented problem code {code}")
        return cls(code, location or Location(), "" if value is None else str(value),
                   tuple((k, str(v)) for k, v in params.items()))

    @property
    def severity(self) -> Severity:
        return CATALOGUE[self.code].severity

    def _fill(self, template: str) -> str:
        values = {"value": self.value, **dict(self.params)}
        try:
            return template.format(**values)
        except (KeyError, IndexError):  # a template must never hide the problem itself
            return template

    def message(self, lang: Lang = "zh") -> str:
        entry = CATALOGUE[self.code]
        return self._fill(entry.zh if lang == "zh" else entry.en)

    def hint(self, lang: Lang = "zh") -> str:
        entry = CATALOGUE[self.code]
        return self._fill(entry.hint_zh if lang == "zh" else entry.hint_en)

    def render(self, lang: Lang = "zh") -> str:
        where = self.location.render(lang)
        # A policy file's file:line:col key-path: problem is the form editors read; a roster's place is
        # said in words (roster.xlsx 工作表「花名册」第 3 行「性别」列：…).
        colon = "：" if lang == "zh" and self.location.line is None else ": "
        text = f"{where}{colon}{self.message(lang)}" if where else self.message(lang)
        hint = self.hint(lang)
        return f"{text} — {hint}" if hint else text

    def as_dict(self, lang: Lang = "zh") -> dict:
        loc = self.location
        out = {"code": self.code, "severity": self.severity, "file": loc.file}
        if loc.line is not None:
            out.update(line=loc.line, column=loc.col, path=loc.path)
        else:
            out.update(sheet=loc.sheet, row=loc.row, column=loc.column, cell=loc.cell, value=self.value)
        out.update(message=self.message(lang), hint=self.hint(lang))
        return out


class SwtalentError(Exception):
    """Input that cannot be used at all (exit code 1). Carries every problem found."""

    def __init__(self, issues: list[Issue]):
        super().__init__("; ".join(i.render("en") for i in issues))
        self.issues = issues


class UsageError(Exception):
    """The command line itself is wrong (exit code 2)."""

    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh, self.en = zh, en

    def text(self, lang: Lang = "zh") -> str:
        return self.zh if lang == "zh" else self.en


def catalogue_markdown() -> str:
    """docs/problems.md, generated so the documentation cannot drift from the code."""
    out = ["# Problem codes", "",
           "Generated from `swtalent/errors.py` by `python -m swtalent.errors > docs/problems.md`; "
           "a test fails when this file and the code disagree.", "",
           "An **error** on a roster row means the row pays nothing; a **warning** is reported and does not "
           "by itself hold a row back (a blank or ignored value can still leave a condition unmet). Errors in "
           "a policy file or a roster's structure stop the run (exit code 1).", "",
           "| code | severity | message (中文) | message (English) | hint |", "|---|---|---|---|---|"]
    for code, e in CATALOGUE.items():
        hint = " / ".join(h for h in (e.hint_zh, e.hint_en) if h)
        out.append(f"| `{code}` | {e.severity} | {e.zh} | {e.en} | {hint} |")
    return "\n".join(out) + "\n"


GUIDE_START, GUIDE_END = "<!-- generated: policy messages -->", "<!-- end generated -->"


def policy_messages_markdown() -> str:
    """The policy file's messages, for docs/policy-guide.md (between its generated markers)."""
    out = ["| code | severity | message (中文) | message (English) | hint |", "|---|---|---|---|---|"]
    for code, e in CATALOGUE.items():
        if code.startswith("policy."):
            hint = " / ".join(h for h in (e.hint_zh, e.hint_en) if h)
            out.append(f"| `{code}` | {e.severity} | {e.zh} | {e.en} | {hint} |")
    return "\n".join(out) + "\n"


def with_policy_messages(guide: str) -> str:
    """The guide's text with its generated section replaced by the current messages."""
    head, rest = guide.split(GUIDE_START, 1)
    _, tail = rest.split(GUIDE_END, 1)
    return f"{head}{GUIDE_START}\n{policy_messages_markdown()}{GUIDE_END}{tail}"


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["--policy-guide"]:  # python -m swtalent.errors --policy-guide < guide > guide
        print(with_policy_messages(sys.stdin.read()), end="")
    else:
        print(catalogue_markdown(), end="")
