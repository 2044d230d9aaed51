"""The audit log in words: what was done, to which kind of record, and what changed (for the auditor's page and its CSV).

An action the table below does not know yet is named by its area ("月度考核：其他操作"), never by its code, so a new
event never puts a code on the page; the event's own record stays readable, folded away, for technical review.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from window_staff.common.dates import month_words, time_words

ACTIONS: dict[str, tuple[str, str]] = {
    "appraisal.computed": ("计算月度考核", "Computed the monthly appraisal"),
    "appraisal.compute": ("计算月度考核", "Computed the monthly appraisal"),
    "appraisal.open_appeals": ("开放申诉", "Opened appeals"),
    "appraisal.end_appeals": ("结束申诉", "Ended appeals"),
    "appraisal.approve": ("批准考核结果", "Approved the results"),
    "appraisal.return": ("退回修改", "Returned for changes"),
    "appraisal.publish": ("公布考核结果", "Published the results"),
    "appraisal.close": ("考核结账", "Closed the month"),
    "appraisal.reopen": ("重新开放考核", "Reopened the month"),
    "appraisal.reopen_requested": ("申请重新开放考核", "Asked to reopen the month"),
    "appraisal.appeal_filed": ("提出考核申诉", "Filed an appraisal appeal"),
    "appraisal.appeal_decided": ("处理考核申诉", "Decided an appraisal appeal"),
    "appraisal.export": ("导出奖金发放表", "Exported the bonus sheet"),
    "attendance.corrected": ("更正考勤记录", "Corrected an attendance record"),
    "attendance.exception_resolved": ("处理考勤异常", "Resolved an attendance exception"),
    "attendance.month_closed": ("考勤月结", "Closed a month for attendance"),
    "auth.login": ("登录", "Logged in"),
    "audit.keyed": ("启用审计密钥", "Started keyed audit links"),
    "biometrics.consent_granted": ("登记生物特征采集同意", "Recorded biometric consent"),
    "biometrics.consent_withdrawn": ("撤回生物特征采集同意", "Withdrew biometric consent"),
    "biometrics.erased_on_leaving": ("离岗删除生物特征", "Erased biometrics on leaving"),
    "biometrics.template_enrolled": ("采集生物特征", "Enrolled a biometric template"),
    "biometrics.templates_deleted": ("删除生物特征", "Deleted biometric templates"),
    "calendar.override_added": ("调整工作日历", "Changed the work calendar"),
    "calendar.override_deleted": ("撤销工作日历调整", "Removed a work-calendar change"),
    "campaign.created": ("创建评议活动", "Created an evaluation campaign"),
    "campaign.opened": ("开始评议活动", "Opened an evaluation campaign"),
    "campaign.closed": ("结束评议活动", "Closed an evaluation campaign"),
    "delegate.created": ("登记评议代表", "Added an invited delegate"),
    "delegate.deactivated": ("停用评议代表", "Deactivated a delegate"),
    "delegate_evaluation.submitted": ("提交评议", "Submitted an evaluation"),
    "delegate_invitation.code_failed": ("评议验证码错误", "Wrong invitation code"),
    "delegate_invitation.issued": ("发出评议邀请", "Issued an invitation"),
    "delegate_invitation.redeemed": ("使用评议邀请", "Used an invitation"),
    "delegate_invitation.revoked": ("作废评议邀请", "Revoked an invitation"),
    "department.created": ("新增部门", "Added a department"),
    "department.head_set": ("设定部门负责人", "Named a department head"),
    "device_user.removed": ("清除终端人员编号", "Cleared a device user number"),
    "device_user.set": ("设定终端人员编号", "Set a device user number"),
    "evidence.removed": ("删除检查照片", "Removed an inspection photo"),
    "evidence.uploaded": ("上传检查照片", "Uploaded an inspection photo"),
    "exposure.chosen": ("列入曝光台", "Put on the exposure board"),
    "exposure.rectified": ("曝光事项已整改", "Marked a board entry rectified"),
    "exposure.withdrawn": ("撤下曝光事项", "Withdrew a board entry"),
    "finding.appeal_filed": ("对检查结果提出申诉", "Appealed a finding"),
    "finding.appeal_upheld": ("检查结果申诉成立", "Upheld a finding appeal"),
    "finding.appeal_rejected": ("检查结果申诉不成立", "Rejected a finding appeal"),
    "inspection.finding.edited": ("修改检查记录", "Edited a finding"),
    "inspection.finding.logged": ("登记检查问题", "Logged a finding"),
    "inspection.finding.published": ("发布检查结果", "Published a finding"),
    "inspection.finding.rejected": ("退回检查记录", "Rejected a finding"),
    "inspection.visit.cancelled": ("取消检查", "Cancelled a visit"),
    "inspection.visit.planned": ("安排暗访", "Planned a visit"),
    "inspection.visit.published": ("发布检查", "Published a visit"),
    "inspection.visit.started": ("开始检查", "Started a visit"),
    "inspection.visit.ended": ("结束检查", "Ended a visit"),
    "leave.requested": ("申请请假", "Requested leave"),
    "leave.approved": ("批准请假", "Approved leave"),
    "leave.refused": ("不批准请假", "Refused leave"),
    "leave.rejected": ("不批准请假", "Refused leave"),
    "leave.withdrawn": ("撤回请假", "Withdrew leave"),
    "leave.cancelled": ("取消请假", "Cancelled leave"),
    "missed_punch.requested": ("申请补卡", "Asked for a missed punch (补卡)"),
    "missed_punch.approved": ("同意补卡", "Approved a missed punch (补卡)"),
    "missed_punch.refused": ("不同意补卡", "Refused a missed punch (补卡)"),
    "punch.attested": ("确认刷卡签到", "Attested a card punch"),
    "punch.batch_recorded": ("批量记录打卡", "Recorded punches"),
    "punch.manual_recorded": ("补录打卡", "Recorded a punch by hand"),
    "punch.recorded": ("记录打卡", "Recorded a punch"),
    "rating.recorded": ("记录群众评价", "Recorded a citizen rating"),
    "rating_case.opened": ("差评立案", "Opened a bad-review case"),
    "rating_case.verify": ("核实差评", "Verified a bad review"),
    "rating_case.rectify": ("差评整改", "Rectified a bad review"),
    "rating_case.call_back": ("差评回访", "Called the citizen back"),
    "rating_case.close": ("差评办结", "Closed a bad-review case"),
    "queue_category.created": ("新增排队业务类型", "Mapped a queue category"),
    "queue_category.deleted": ("删除排队业务类型", "Removed a queue category"),
    "queue_category.updated": ("修改排队业务类型", "Changed a queue category"),
    "queue_events.imported": ("导入排队叫号数据", "Imported queue events"),
    "queue_exception.resolved": ("处理排队数据异常", "Resolved a queue exception"),
    "queue_exception.resolved_by_mapping": (
        "建立业务类型对应关系，一并处理其待处理排号事件",
        "Mapped a category and settled its queue events",
    ),
    "queue_exception.group_resolved": ("关闭一组待处理的排号事件", "Closed a group of queue events to look at"),
    "rating_case.appeal": ("差评申诉", "Appealed a bad-review case"),
    "rating_case.decide": ("差评申诉处理", "Decided a bad-review appeal"),
    "rating_code.created": ("生成评价二维码", "Created a rating code"),
    "rating_code.revoked": ("作废评价二维码", "Revoked a rating code"),
    "rota.added": ("调整排班", "Changed the rota"),
    "rota.deleted": ("撤销排班调整", "Removed a rota change"),
    "service_transactions.imported": ("导入办件数据", "Imported service transactions"),
    "site.created": ("新增场所", "Added a site"),
    "site_hours.added": ("设定作息时间", "Set session hours"),
    "staff.created": ("新增人员", "Added staff"),
    "staff.left": ("人员离岗", "Staff member left"),
    "staff.updated": ("修改人员信息", "Changed staff details"),
    "terminal.approved": ("批准终端", "Approved a terminal"),
    "terminal.revoked": ("停用终端", "Revoked a terminal"),
    "terminal.card_removed": ("清除终端卡号", "Removed a card from a terminal"),
    "terminal.card_set": ("设定终端卡号", "Set a card on a terminal"),
    "terminal.command_queued": ("下发终端指令", "Queued a terminal command"),
    "terminal.registered": ("终端注册", "A terminal registered"),
    "terminal.secret_issued": ("发放终端密钥", "Issued a terminal secret"),
    "user.created": ("新增用户", "Added a user"),
    "user.password_changed": ("修改密码", "Changed a password"),
    "user.password_reset": ("重置密码", "Reset a password"),
    "user.password_reset_issued": ("发放密码重置链接", "Issued a password-reset link"),
    "user.staff_linked": ("关联工作人员", "Linked an account to a staff member"),
    "user.staff_unlinked": ("解除关联工作人员", "Unlinked an account from a staff member"),
    "user.totp_reset": ("重置动态验证码", "Reset an authenticator"),
    "user.updated": ("修改用户", "Changed a user"),
    "window.created": ("新增窗口", "Added a window"),
    "window.closed_for_day": ("窗口停办", "Closed a window for a day"),
    "window.reopened_for_day": ("取消窗口停办", "Reopened a window"),
}

# The area an action belongs to, by its first word: how an action not in the table above is named.
AREAS: dict[str, tuple[str, str]] = {
    "appraisal": ("月度考核", "Monthly appraisal"),
    "attendance": ("考勤", "Attendance"),
    "auth": ("登录", "Login"),
    "audit": ("审计", "Audit"),
    "biometrics": ("生物特征", "Biometrics"),
    "calendar": ("工作日历", "Work calendar"),
    "campaign": ("评议活动", "Evaluation campaign"),
    "delegate": ("评议代表", "Delegates"),
    "delegate_evaluation": ("评议", "Evaluations"),
    "delegate_invitation": ("评议邀请", "Invitations"),
    "department": ("部门", "Departments"),
    "device_user": ("终端人员编号", "Device user numbers"),
    "evidence": ("检查照片", "Inspection photos"),
    "exposure": ("曝光台", "Exposure board"),
    "finding": ("检查结果", "Findings"),
    "inspection": ("检查", "Inspections"),
    "leave": ("请假", "Leave"),
    "missed_punch": ("补卡", "Missed punches"),
    "punch": ("打卡", "Punches"),
    "rating": ("群众评价", "Citizen ratings"),
    "rating_case": ("差评整改", "Bad-review cases"),
    "rating_code": ("评价二维码", "Rating codes"),
    "rota": ("排班", "Rota"),
    "service_transactions": ("办件", "Service transactions"),
    "site": ("场所", "Sites"),
    "site_hours": ("作息时间", "Session hours"),
    "staff": ("人员", "Staff"),
    "terminal": ("终端", "Terminals"),
    "user": ("用户", "Users"),
    "window": ("窗口", "Windows"),
}

SUBJECTS: dict[str, tuple[str, str]] = {
    "appraisal_appeal": ("考核申诉", "Appraisal appeal"),
    "appraisal_period": ("月度考核", "Monthly appraisal"),
    "attendance_exception": ("考勤异常", "Attendance exception"),
    "audit_event": ("审计记录", "Audit record"),
    "bad_review_case": ("差评整改事项", "Bad-review case"),
    "citizen_rating": ("群众评价", "Citizen rating"),
    "day_record_correction": ("考勤更正", "Attendance correction"),
    "delegate": ("评议代表", "Delegate"),
    "delegate_campaign": ("评议活动", "Evaluation campaign"),
    "delegate_evaluation": ("评议", "Evaluation"),
    "delegate_invitation": ("评议邀请", "Invitation"),
    "department": ("部门", "Department"),
    "evidence": ("检查照片", "Inspection photo"),
    "exposure_entry": ("曝光事项", "Board entry"),
    "finding": ("检查结果", "Finding"),
    "finding_appeal": ("检查结果申诉", "Finding appeal"),
    "inspection_finding": ("检查结果", "Finding"),
    "inspection_visit": ("检查", "Inspection visit"),
    "leave_request": ("请假", "Leave request"),
    "missed_punch_request": ("补卡申请", "Missed-punch request"),
    "punch": ("打卡记录", "Punch"),
    "queue_batch": ("排队叫号数据导入", "Queue events import"),
    "queue_category": ("排队业务类型", "Queue category"),
    "queue_exception": ("排队数据异常", "Queue exception"),
    "rota_change": ("排班调整", "Rota change"),
    "service_import_batch": ("办件导入", "Transaction import"),
    "service_window": ("窗口", "Window"),
    "site": ("场所", "Site"),
    "staff": ("人员", "Staff member"),
    "terminal": ("终端", "Terminal"),
    "user": ("用户", "User"),
    "window": ("窗口", "Window"),
    "window_rating_code": ("评价二维码", "Rating code"),
}

# The fields of an event's record that read well in words, and how their values are written.
FIELDS: dict[str, tuple[str, str]] = {
    "display_name": ("姓名", "Name"),
    "name": ("名称", "Name"),
    "roles": ("角色", "Roles"),
    "active": ("启用", "Active"),
    "reason": ("理由", "Reason"),
    "note": ("说明", "Note"),
    "count": ("数量", "Count"),
    "month": ("月份", "Month"),
    "employee_no": ("工号", "Employee no."),
    "employee_nos": ("工号", "Employee nos."),
    "title": ("标题", "Title"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def action_words(action: str, lang: str) -> str:
    """What was done, in words; an action not known here is named by its area."""
    if action in ACTIONS:
        return _pick(ACTIONS[action], lang)
    for cut in range(action.count("."), 0, -1):
        area = action.rsplit(".", cut)[0]
        if area in AREAS:
            return f"{_pick(AREAS[area], lang)}{'：' if lang != 'en' else ': '}{'其他操作' if lang != 'en' else 'other action'}"
    return "其他操作" if lang != "en" else "Other action"


def subject_words(subject_type: str, lang: str) -> str:
    """The kind of record an event is about, in words."""
    return _pick(SUBJECTS[subject_type], lang) if subject_type in SUBJECTS else ("其他记录" if lang != "en" else "Other record")


def _value(key: str, value: Any, lang: str, role_words: Callable[[str], str]) -> str:
    if isinstance(value, bool):
        return ("是" if value else "否") if lang != "en" else ("yes" if value else "no")
    if key == "roles" and isinstance(value, list):
        return "、".join(role_words(str(r)) for r in value)
    if key == "month" and isinstance(value, str):
        return month_words(value, lang)
    if isinstance(value, list):
        return "、".join(str(v) for v in value[:20]) + ("…" if len(value) > 20 else "")
    return str(value)


def changes(data: Mapping[str, Any], lang: str, *, role_words: Callable[[str], str]) -> list[tuple[str, str]]:
    """The fields of an event's record that read well in words, as (label, value); the rest stays in the folded record."""
    return [(_pick(FIELDS[k], lang), _value(k, v, lang, role_words)) for k, v in data.items() if k in FIELDS and v not in (None, "")]


def when(at: datetime | str, lang: str) -> str:
    """An event's time as people write it (SQLite hands raw reads back as text)."""
    instant = datetime.fromisoformat(at) if isinstance(at, str) else at
    return time_words(instant if instant.tzinfo else instant.replace(tzinfo=UTC), lang)
