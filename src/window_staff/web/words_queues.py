"""The words of the queue pages (zh-CN and English): HR's import of the machine's export, the month's window figures."""

from __future__ import annotations

from window_staff.web.i18n import add_words

# The kinds of event a queue machine reports, in the order of a ticket's life (the file holds the code).
EVENT_KINDS = ("issued", "called", "recalled", "missed", "started", "finished", "transferred", "paused", "resumed")

add_words(
    {
        "qi.title": {"zh": "排号数据导入", "en": "Queue-machine import"},
        "qi.intro": {
            "zh": "上传排号机（叫号系统）导出的 CSV 文件。系统逐行检查：任何一行有误则整份文件不导入，并列出每一处问题；"
            "已导入过的记录自动跳过，排号机已实时上报的记录不会重复保存。",
            "en": "Upload the CSV export of the queue machine (calling system). Every line is checked: if any line is wrong nothing "
            "is imported and each problem is listed; rows imported before are skipped, and events the machine already "
            "reported live are not stored twice.",
        },
        "qi.back": {"zh": "返回排号业务设置", "en": "Back to the queue settings"},
        "qi.imported": {
            "zh": "共 {rows} 行：新导入 {imported} 条；已导入过而跳过 {skipped} 条；排号机已实时上报、未重复保存 {elsewhere} 条。",
            "en": "{rows} rows: {imported} imported; {skipped} skipped as imported before; {elsewhere} already reported live by "
            "the machine and not stored twice.",
        },
        "qi.exceptions": {
            "zh": "其中 {n} 条的业务类型尚未对应到部门和窗口，已列入待处理的排号事件，请在排号业务设置中处理。",
            "en": "{n} of them have a service category not yet mapped to a department and windows: they are listed as events "
            "to look at in the queue settings.",
        },
        "qi.format": {"zh": "文件格式说明", "en": "What the file holds"},
        "qi.optional": {"zh": "（可不填）", "en": "(may be empty)"},
        "qi.kinds": {"zh": "“事件类型”一列可填写", "en": "The column “kind of event” holds one of"},
        "qi.time_help": {
            "zh": "“发生时间”按中心所在时区填写，如 2026-12-07 09:15 或 2026-12-07 09:15:30。",
            "en": "Write the time in the centre's time zone, as 2026-12-07 09:15 or 2026-12-07 09:15:30.",
        },
        "qi.limit": {
            "zh": "每份文件不超过 16 MB、10 万行（约一个中心一个月的数据）。",
            "en": "At most 16 MB and 100,000 rows a file (about a month of one centre).",
        },
        "error.queue_file_too_large": {
            "zh": "文件超过 16 MB：请按中心或按时段分别导出后再上传。",
            "en": "The file is over 16 MB: export it centre by centre or in parts.",
        },
        # Start pages.
        "queue_figures": {"zh": "排队与服务统计", "en": "Queue figures"},
        "qf.title": {"zh": "窗口排队与服务统计", "en": "Queues and service at the windows"},
        "qf.intro": {
            "zh": "根据排号机（叫号系统）的数据和考勤签到统计，只计已结束的日子。"
            "空岗指叫号或有人等候时窗口无人签到在岗，或暂停服务超过规定时长。",
            "en": "From the queue machine's events and the check-ins, days that are over only. Unattended (空岗): a call or a "
            "waiting queue while nobody rostered there was signed in, or a pause longer than allowed.",
        },
        "qf.month": {"zh": "月份", "en": "Month"},
        "qf.show": {"zh": "查看", "en": "Show"},
        "qf.group": {"zh": "统计方式", "en": "Figures"},
        "qf.by_window": {"zh": "按窗口", "en": "By window"},
        "qf.by_staff": {"zh": "按工作人员", "en": "By staff member"},
        "qf.prev": {"zh": "上个月", "en": "Previous month"},
        "qf.next": {"zh": "下个月", "en": "Next month"},
        "qf.window": {"zh": "窗口", "en": "Window"},
        "qf.person": {"zh": "工作人员", "en": "Staff member"},
        "qf.served": {"zh": "办结（件）", "en": "Served"},
        "qf.wait_median": {"zh": "等候时间（中位数）", "en": "Wait (median)"},
        "qf.wait_p90": {"zh": "九成群众等候不超过", "en": "Wait, 9 in 10 within"},
        "qf.service_median": {"zh": "办理时长（中位数）", "en": "Service time (median)"},
        "qf.missed": {"zh": "过号（次）", "en": "Missed calls"},
        "qf.paused": {"zh": "暂停服务（分钟）", "en": "Paused (minutes)"},
        "qf.vacant": {"zh": "空岗（次）", "en": "Unattended (times)"},
        "qf.minutes": {"zh": "{n} 分钟", "en": "{n} min"},
        "qf.no_data": {"zh": "—", "en": "—"},
        "qf.none": {"zh": "这个月还没有排号数据。", "en": "No queue data for this month yet."},
        "qf.of_month": {"zh": "{month}统计", "en": "Figures for {month}"},
        "qf.import": {"zh": "导入排号数据", "en": "Import queue data"},
        "qi.k.issued": {"zh": "取号", "en": "ticket issued"},
        "qi.k.called": {"zh": "叫号", "en": "called"},
        "qi.k.recalled": {"zh": "重呼", "en": "called again"},
        "qi.k.missed": {"zh": "过号", "en": "missed"},
        "qi.k.started": {"zh": "开始办理", "en": "service started"},
        "qi.k.finished": {"zh": "办理完毕", "en": "service finished"},
        "qi.k.transferred": {"zh": "转其他窗口", "en": "transferred"},
        "qi.k.paused": {"zh": "暂停服务", "en": "window paused"},
        "qi.k.resumed": {"zh": "恢复服务", "en": "window resumed"},
    }
)
