"""The words of HR's queue-machine import page (zh-CN and English): what the file holds, how the import ended."""

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
