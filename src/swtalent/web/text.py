"""The page's words, Chinese first, English with the language switch. Problems, summaries and
explanations come from the library in the reader's language (errors.CATALOGUE, reports.labels)."""
from __future__ import annotations

WORDS = {
    "zh": {
        "app": "社会工作人才补贴计算", "nav.compute": "计算", "nav.policy": "政策检查", "nav.ledger": "发放账本",
        "nav.logout": "退出", "other_lang": "English", "other_lang_code": "en",
        "compute.title": "计算补贴与评选", "policy": "政策", "policy.shipped": "选用内置政策",
        "policy.upload": "或上传政策文件（.yaml）", "roster": "花名册", "roster.drop": "把花名册拖到这里，或点击选择文件",
        "roster.formats": ".xlsx、.xlsm、.xls、.ods 或 .csv", "period": "期间",
        "period.hint": "年度（2023）、月份（2023-05）或月份区间（2023-01..2023-06）", "sheet": "工作表（可不填）",
        "arrears": "同时补发此前应发未发的款项（补发）", "compute": "计算",
        "runs.recent": "本次打开以来的计算", "run.state.queued": "排队中", "run.state.running": "正在计算",
        "run.state.done": "已完成", "run.state.failed": "未能完成", "elapsed": "已用时 {s} 秒",
        "stage.read": "读取花名册", "stage.compute": "计算", "stage.write": "写出结果", "stage.queued": "排队中",
        "failed.head": "无法完成，原因如下：", "errors_first": "有 {n} 个错误：这些行暂不发放，改正后重新计算",
        "summary": "汇总", "downloads": "下载", "dl.workbook": "发放表（.xlsx）", "dl.notice": "公示名单（.xlsx）",
        "dl.csv": "明细（.csv）", "dl.annotated": "标注问题的花名册（.xlsx，发回乡镇修改）", "dl.diff": "测算表（.xlsx）",
        "problems": "数据问题", "filter": "筛选", "all": "全部", "code": "代码", "severity": "级别",
        "shown_of": "显示 {shown} 条，共 {total} 条；全部问题见发放表的「数据问题」工作表", "no_problems": "未发现问题",
        "explain.title": "查询一个人", "explain.person": "身份证号、打码的身份证号或姓名", "explain.go": "查询",
        "diff.title": "政策测算（本花名册）", "diff.other": "拟议政策：选用内置政策", "diff.upload": "或上传拟议政策",
        "diff.dates": "或比较本政策在两个日期的标准", "diff.go": "测算",
        "commit.title": "记入账本", "commit.go": "记入账本…", "commit.confirm": "确认记入账本",
        "commit.ask": "将把本次计算的 {lines} 笔、合计 {total} 元（{capital}）记入账本 {ledger}。记入后这些款项不会再次发放。",
        "commit.operator": "经办人", "commit.nothing": "本次没有应发款项，无需记入账本",
        "commit.done": "已记入账本：批次 {batch}", "commit.again": "本次计算已记入账本（批次 {batch}）",
        "cancel": "取消", "back": "返回",
        "validate.title": "检查政策文件", "validate.file": "政策文件（.yaml）", "validate.go": "检查",
        "validate.ok": "未发现问题", "validate.count": "{errors} 个错误，{warnings} 个警告", "line": "行",
        "ledger.title": "发放账本", "ledger.none": "账本中还没有批次", "ledger.missing": "账本 {url} 还不存在：记入第一批时创建",
        "batch": "批次", "lines": "行数", "amount": "金额", "status": "状态", "committed_at": "记入时间", "operator": "经办人",
        "void.title": "作废整个批次", "void.go": "作废", "return.title": "退票（银行退回一人的款项）",
        "return.person": "收款人身份证号", "return.go": "登记退票", "reason": "原因",
        "reversed": "已冲销 {n} 行：可再次发放", "months": "月份", "rule": "规则", "person_id": "身份证号",
        "login.title": "登录", "password": "密码", "login.go": "登录", "login.wrong": "密码不正确",
        "login.wait": "密码错误次数过多：请 {s} 秒后再试",
        "csrf": "页面已过期或请求来自其他网站，未执行。请刷新页面后重试。", "too_large": "上传的文件超过上限 {limit}，未接收",
        "not_found": "没有这个页面（或计算已随服务器重启而清除）", "need_file": "请选择{what}",
        "need_period": "请填写期间", "internal": "内部错误：{detail}。请把服务器窗口中的输出报告给维护者",
        "ledger_at": "账本", "paid_note": "计算时已扣除账本中已发放的款项",
        "scores": "评委评分表（可不填）", "scores.hint": "评选得分来自评委打分时（如 jiujiang-judges.yaml）上传：.xlsx 或 .csv",
        "internal.page": "内部错误，请求未完成。服务器窗口中有一行记录，请报告给维护者；返回后可重试。",
    },
    "en": {
        "app": "Social-work talent subsidies", "nav.compute": "Compute", "nav.policy": "Check a policy",
        "nav.ledger": "Ledger", "nav.logout": "Log out", "other_lang": "中文", "other_lang_code": "zh",
        "compute.title": "Compute subsidies and awards", "policy": "Policy", "policy.shipped": "a shipped policy",
        "policy.upload": "or upload a policy file (.yaml)", "roster": "Roster",
        "roster.drop": "Drop the roster here, or click to choose a file", "roster.formats": ".xlsx, .xlsm, .xls, .ods or .csv",
        "period": "Period", "period.hint": "a year (2023), a month (2023-05) or a range (2023-01..2023-06)",
        "sheet": "Sheet (optional)", "arrears": "also pay arrears: what fell due earlier and was never paid",
        "compute": "Compute", "runs.recent": "Runs since the page was started", "run.state.queued": "waiting",
        "run.state.running": "computing", "run.state.done": "done", "run.state.failed": "could not finish",
        "elapsed": "{s} s so far", "stage.read": "reading the roster", "stage.compute": "computing",
        "stage.write": "writing", "stage.queued": "waiting", "failed.head": "cannot go on:",
        "errors_first": "{n} error(s): these rows are held; fix them and compute again", "summary": "Summary",
        "downloads": "Downloads", "dl.workbook": "payment workbook (.xlsx)", "dl.notice": "notice list (.xlsx)",
        "dl.csv": "detail (.csv)", "dl.annotated": "roster marked with its problems (.xlsx, for the township)",
        "dl.diff": "comparison workbook (.xlsx)", "problems": "Problems", "filter": "Filter", "all": "all",
        "code": "code", "severity": "severity",
        "shown_of": "{shown} of {total} shown; all of them are on the workbook's problems sheet",
        "no_problems": "no problems found", "explain.title": "One person",
        "explain.person": "ID number, masked ID or name", "explain.go": "Explain",
        "diff.title": "What a policy would cost (this roster)", "diff.other": "proposed policy: a shipped one",
        "diff.upload": "or upload the proposed policy", "diff.dates": "or compare this policy on two dates",
        "diff.go": "Compare", "commit.title": "Record in the ledger", "commit.go": "Record in the ledger…",
        "commit.confirm": "Record it",
        "commit.ask": "This records the run's {lines} lines, {total} yuan in all ({capital}), in the ledger {ledger}. "
                      "They will not be paid again.",
        "commit.operator": "By", "commit.nothing": "nothing to pay in this run: nothing to record",
        "commit.done": "recorded in the ledger as batch {batch}", "commit.again": "this run is recorded (batch {batch})",
        "cancel": "Cancel", "back": "Back", "validate.title": "Check a policy file",
        "validate.file": "policy file (.yaml)", "validate.go": "Check", "validate.ok": "no problems",
        "validate.count": "{errors} error(s), {warnings} warning(s)", "line": "line", "ledger.title": "Payment ledger",
        "ledger.none": "no batches in the ledger yet", "ledger.missing": "there is no ledger at {url} yet: the first "
        "batch recorded makes it", "batch": "batch", "lines": "lines", "amount": "amount", "status": "status",
        "committed_at": "committed at", "operator": "by", "void.title": "Void the whole batch", "void.go": "Void",
        "return.title": "Bank return (one person's payment came back)", "return.person": "payee's ID number",
        "return.go": "Record the return", "reason": "reason", "reversed": "{n} lines reversed: payable again",
        "months": "months", "rule": "rule", "person_id": "ID", "login.title": "Log in", "password": "Password",
        "login.go": "Log in", "login.wrong": "wrong password",
        "login.wait": "too many wrong passwords: try again in {s} s",
        "csrf": "the page had expired or the request came from another site; nothing was done. Reload the page "
                "and try again.", "too_large": "the upload is larger than the limit of {limit}; not accepted",
        "not_found": "no such page (or the run was cleared when the server restarted)",
        "need_file": "choose {what}", "need_period": "give the period",
        "internal": "internal error: {detail}. Report the server window's output to the maintainers",
        "ledger_at": "ledger", "paid_note": "what the ledger has paid is left out",
        "scores": "Judges' score sheets (optional)",
        "scores.hint": "for awards scored by judges (such as jiujiang-judges.yaml): .xlsx or .csv",
        "internal.page": "Internal error; the request was not completed. The server's window has a line about it: "
                         "report it to the maintainers. Go back and try again.",
    },
}


# The catalogue's hints that name a command or flag, as the page says them: a clerk on the page
# has no terminal. Keyed by problem code; the hint's {fields} are the issue's.
PAGE_HINTS = {
    "ledger.taken": ("回到计算页面重新计算，再记入账本：已发放的部分会自动扣除",
                     "compute the roster again on the page, then record it: what is paid is left out"),
    "ledger.voided-for-outputs": ("稍后在计算页面重新计算并记入账本；如反复出现，请把服务器窗口中的输出报告给维护者",
                                  "compute again on the page and record it; if it happens again, report the server "
                                  "window's output to the maintainers"),
    "ledger.no-batch": ("在「发放账本」页面查看批次编号", "see the batch ids on the Ledger page"),
    "ledger.no-reason": ("在「原因」一栏写明原因后再提交", "write why in the reason field and submit again"),
    "ledger.already-void": ("在「发放账本」页面查看批次 {batch}", "see batch {batch} on the Ledger page"),
    "ledger.nothing-to-return": ("核对批次编号和身份证号（在「发放账本」页面查看批次 {batch}）",
                                 "check the batch id and the ID number (batch {batch} on the Ledger page)"),
}


def hint_of(issue, lang: str) -> str:
    """An issue's hint as the page gives it (PAGE_HINTS where the catalogue's names a command)."""
    page = PAGE_HINTS.get(issue.code)
    if page is None:
        return issue.hint(lang)
    return issue._fill(page[1 if lang == "en" else 0])


def words(lang: str) -> dict:
    return WORDS["en" if lang == "en" else "zh"]
