"""Words on sheets and in the terminal, Chinese by default, English with --lang en."""
from __future__ import annotations

LABELS = {
    "zh": {
        "lang": "zh", "sheet.summary": "汇总", "sheet.lines": "发放明细", "sheet.ineligible": "不予发放", "sheet.problems": "数据问题",
        "seq": "序号", "name": "姓名", "person_id": "身份证号", "district": "区县", "unit": "工作单位",
        "bank_account": "银行账号", "rule": "项目", "rule_id": "规则编号", "kind": "类别", "level": "等级",
        "months": "月数", "detail": "计算说明", "amount": "金额（元）", "clause": "依据条款", "source_row": "来源行",
        "category": "人员类别", "reason": "原因", "severity": "级别", "code": "代码", "sheet": "工作表",
        "row": "行号", "column": "列", "value": "值", "message": "问题", "hint": "处理建议",
        "kind.one_off": "一次性", "kind.monthly": "按月", "error": "错误", "warning": "警告",
        "title": "{city}社会工作人才补贴发放汇总（{period}）", "policy": "政策", "policy_file": "政策文件",
        "period": "期间", "version": "计算工具", "rows_in": "读入数据行", "rows_paid": "发放行",
        "rows_ineligible": "不予发放行", "rows_with_errors": "数据问题行", "persons": "人数", "lines": "笔数",
        "total": "合计", "total_capital": "合计（大写）", "by_rule": "按项目", "by_district": "按区县",
        "unknown_district": "（未填区县）", "problems_errors": "错误", "problems_warnings": "警告",
        "accounting": "每个数据行均已计入：发放 + 不予发放 + 数据问题 = 读入",
        "sheet.selection": "评选结果", "rank": "排名", "score": "得分", "status": "状态", "service_field": "工作领域",
        "status.selected": "入选", "status.pending": "同分待定", "status.not_selected": "未入选",
        "status.ineligible": "不符合条件", "held": "数据有误，见数据问题表", "selected": "入选人数",
        "pending_tie": "同分待定人数", "kind.award": "评选",
        "cell": "单元格", "where": "位置", "sheet.roster": "花名册", "check_title": "花名册检查：{file}",
    },
    "en": {
        "lang": "en", "sheet.summary": "Summary", "sheet.lines": "Payments", "sheet.ineligible": "Not eligible",
        "sheet.problems": "Problems",
        "seq": "No.", "name": "Name", "person_id": "ID number", "district": "District", "unit": "Unit",
        "bank_account": "Bank account", "rule": "Item", "rule_id": "Rule id", "kind": "Kind", "level": "Level",
        "months": "Months", "detail": "How computed", "amount": "Amount (yuan)", "clause": "Clause",
        "source_row": "Source row", "category": "Category", "reason": "Reason", "severity": "Severity",
        "code": "Code", "sheet": "Sheet", "row": "Row", "column": "Column", "value": "Value",
        "message": "Problem", "hint": "How to fix",
        "kind.one_off": "one-off", "kind.monthly": "monthly", "error": "error", "warning": "warning",
        "title": "{city} social-work talent payments ({period})", "policy": "Policy", "policy_file": "Policy file",
        "period": "Period", "version": "Computed by", "rows_in": "Data rows read", "rows_paid": "Rows paid",
        "rows_ineligible": "Rows not eligible", "rows_with_errors": "Rows with problems", "persons": "Persons",
        "lines": "Lines", "total": "Total", "total_capital": "Total in words", "by_rule": "By item",
        "by_district": "By district", "unknown_district": "(no district)", "problems_errors": "Errors",
        "problems_warnings": "Warnings",
        "accounting": "Every data row is accounted for: paid + not eligible + problems = read",
        "sheet.selection": "Selection", "rank": "Rank", "score": "Score", "status": "Status",
        "service_field": "Field of work", "status.selected": "selected", "status.pending": "pending tie",
        "status.not_selected": "not selected", "status.ineligible": "not eligible",
        "held": "data problem, see the Problems sheet", "selected": "Selected", "pending_tie": "Pending ties",
        "kind.award": "award", "cell": "Cell", "where": "Where", "sheet.roster": "Roster", "check_title": "Roster check: {file}",
    },
}


def labels(lang: str) -> dict[str, str]:
    return LABELS[lang]
