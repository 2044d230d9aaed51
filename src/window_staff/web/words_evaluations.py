"""The words of HR's evaluation pages (campaigns, rating codes, bad-review cases, service transactions), zh-CN and English."""

from __future__ import annotations

from window_staff.web.i18n import add_words

CAMPAIGN_DONE = frozenset({"created", "delegate", "opened", "closed"})
CODE_DONE = frozenset({"revoked"})
CASE_DONE = frozenset({"verify", "rectify", "call_back", "close", "appeal", "decide"})

add_words(
    {
        # Start pages.
        "delegate_campaigns": {"zh": "作风评议", "en": "Delegate campaigns"},
        "rating_codes": {"zh": "窗口评价二维码", "en": "Window rating codes"},
        "bad_review_cases": {"zh": "差评整改", "en": "Bad-review cases"},
        "service_transactions": {"zh": "办件数据导入", "en": "Service transactions"},
        "ev.back": {"zh": "返回", "en": "Back"},
        "colon": {"zh": "：", "en": ": "},
        "list_sep": {"zh": "、", "en": ", "},
        "ev.none": {"zh": "暂无。", "en": "None yet."},
        # Campaigns.
        "cp.title": {"zh": "作风监督评议", "en": "Delegate campaigns"},
        "cp.list": {"zh": "评议活动", "en": "Campaigns"},
        "cp.new": {"zh": "新建评议活动", "en": "New campaign"},
        "cp.name": {"zh": "活动名称", "en": "Title"},
        "cp.month": {"zh": "计入考核月份", "en": "Counts in the appraisal of"},
        "cp.opens_on": {"zh": "开始日期", "en": "Opens on"},
        "cp.closes_on": {"zh": "截止日期", "en": "Closes on"},
        "cp.dates": {"zh": "评议时间", "en": "Dates"},
        "cp.dimensions": {"zh": "评议内容（“五个一样”）", "en": "What is rated (the five “alike”)"},
        "cp.targets": {"zh": "评议对象", "en": "Targets"},
        "cp.t.department": {"zh": "科室", "en": "Departments"},
        "cp.t.window": {"zh": "窗口", "en": "Windows"},
        "cp.t.staff": {"zh": "工作人员", "en": "Staff"},
        "cp.find_staff": {"zh": "查找：姓名、拼音首字母或工号", "en": "Find: name, pinyin initials or employee no."},
        "cp.find_none": {"zh": "没有找到符合条件的人员", "en": "No staff member matches"},
        "cp.kind.department": {"zh": "科室", "en": "Department"},
        "cp.kind.window": {"zh": "窗口", "en": "Window"},
        "cp.kind.staff": {"zh": "工作人员", "en": "Staff member"},
        "cp.create": {"zh": "保存为草稿", "en": "Save as a draft"},
        "cp.status": {"zh": "状态", "en": "Status"},
        "cp.s.draft": {"zh": "草稿", "en": "Draft"},
        "cp.s.open": {"zh": "评议中", "en": "Open"},
        "cp.s.closed": {"zh": "已结束", "en": "Closed"},
        "cp.open": {"zh": "开始评议", "en": "Open the campaign"},
        "cp.close": {"zh": "结束评议", "en": "Close the campaign"},
        "cp.open_hint": {
            "zh": "开始后，受邀代表即可在评议时间内凭邀请链接和验证码参加评议；评议对象和内容不能再更改。",
            "en": "Once open, invited delegates can take part within the dates with their link and code; targets and form are fixed.",
        },
        "cp.delegates": {"zh": "评议代表", "en": "Delegates"},
        "cp.delegate": {"zh": "代表", "en": "Delegate"},
        "cp.no_delegates": {"zh": "尚未登记评议代表。", "en": "No delegates registered yet."},
        "cp.add_delegate": {"zh": "登记评议代表", "en": "Register a delegate"},
        "cp.d.name": {"zh": "姓名", "en": "Name"},
        "cp.d.kind": {"zh": "身份", "en": "Kind"},
        "cp.d.organisation": {"zh": "工作单位", "en": "Organisation"},
        "cp.d.phone": {"zh": "联系电话（可不填）", "en": "Phone (optional)"},
        "cp.d.active": {"zh": "在册", "en": "Active"},
        "cp.d.inactive": {"zh": "已停用", "en": "Inactive"},
        "cp.dk.npc_deputy": {"zh": "人大代表", "en": "NPC deputy"},
        "cp.dk.cppcc_member": {"zh": "政协委员", "en": "CPPCC member"},
        "cp.dk.business": {"zh": "企业代表", "en": "Business representative"},
        "cp.dk.citizen": {"zh": "群众代表", "en": "Citizen"},
        "cp.dk.other": {"zh": "其他", "en": "Other"},
        "cp.register": {"zh": "登记", "en": "Register"},
        "cp.answers": {"zh": "答卷情况", "en": "Answers"},
        "cp.min_answers": {
            "zh": "每个评议对象须收到至少 {n} 份评议，结果才显示并计入考核。",
            "en": "A target needs at least {n} evaluations before its results are shown and counted.",
        },
        "cp.count": {"zh": "已收到", "en": "Received"},
        "cp.enough": {"zh": "已达到", "en": "Enough"},
        "cp.short": {"zh": "还差 {n} 份", "en": "{n} more needed"},
        "cp.score": {"zh": "得分", "en": "Score"},
        "cp.overall": {"zh": "总体评价", "en": "Overall"},
        "cp.comments": {"zh": "意见建议", "en": "Comments"},
        "cp.invitations": {"zh": "邀请", "en": "Invitations"},
        "cp.no_invitations": {"zh": "尚未发出邀请。", "en": "No invitations yet."},
        "cp.invite": {"zh": "发出邀请", "en": "Invite"},
        "cp.invite_hint": {
            "zh": "邀请链接和一次性验证码只显示这一次，请当场打印邀请函交给代表；重新邀请同一代表，原未使用的邀请随即作废。",
            "en": "The link and one-time code are shown this once: print the letter for the delegate now. Inviting the same "
            "delegate again cancels their unused invitation.",
        },
        "cp.answered": {"zh": "已评 {n}/{total} 项", "en": "{n} of {total} answered"},
        "cp.expires": {"zh": "有效期至", "en": "Valid until"},
        "cp.i.pending": {"zh": "待使用", "en": "Not yet used"},
        "cp.i.used": {"zh": "已使用", "en": "Used"},
        "cp.i.expired": {"zh": "已过期", "en": "Expired"},
        "cp.i.revoked": {"zh": "已作废", "en": "Cancelled"},
        "cp.closed_no_invite": {"zh": "评议已结束，不能再发出邀请", "en": "The campaign is closed: no more invitations"},
        "cp.done.created": {"zh": "评议活动已保存为草稿。", "en": "The campaign was saved as a draft."},
        "cp.done.delegate": {"zh": "已登记评议代表。", "en": "The delegate was registered."},
        "cp.done.opened": {"zh": "评议已开始。", "en": "The campaign is open."},
        "cp.done.closed": {"zh": "评议已结束。", "en": "The campaign is closed."},
        "confirm.what.campaign-close": {
            "zh": "结束后，代表不能再提交评议，邀请链接随即失效，评议结果按已收到的答卷计入考核。此操作不可撤回。",
            "en": "Once closed, delegates can no longer submit, their links stop working, and the results count as received. "
            "This cannot be undone.",
        },
        "error.campaign_no_targets": {"zh": "请至少选择一个评议对象。", "en": "Choose at least one target."},
        "error.campaign_no_dimensions": {"zh": "请至少选择一项评议内容。", "en": "Choose at least one thing to rate."},
        "error.campaign_form_invalid": {
            "zh": "表单填写不完整或格式不对：请检查活动名称（至少2个字）、月份和日期。",
            "en": "The form is incomplete: check the title (at least 2 characters), the month and the dates.",
        },
        # The invitation letter.
        "lt.title": {"zh": "作风监督评议邀请函", "en": "Invitation to evaluate our service"},
        "lt.dear": {"zh": "尊敬的{name}：", "en": "Dear {name},"},
        "lt.body": {
            "zh": "诚邀您参加“{title}”，对我中心窗口工作人员的服务作风进行监督评议。评议时间：{opens}至{closes}。",
            "en": "You are invited to take part in “{title}” and evaluate how our windows serve the public, from {opens} to {closes}.",
        },
        "lt.how": {
            "zh": "请用手机扫描下方二维码（或在浏览器中输入链接），再输入一次性验证码，即可开始评议。评议结果匿名统计。",
            "en": "Scan the QR code with your phone (or type the link), then enter the one-time code. Answers are counted anonymously.",
        },
        "lt.link": {"zh": "评议链接", "en": "Link"},
        "lt.code": {"zh": "一次性验证码", "en": "One-time code"},
        "lt.valid": {
            "zh": "本邀请有效期至{until}，仅可使用一次，请勿转交他人。",
            "en": "Valid until {until}, once only; please keep it to yourself.",
        },
        "lt.thanks": {"zh": "感谢您对政务服务工作的关心和支持！", "en": "Thank you for helping us serve the public better."},
        "lt.once": {
            "zh": "邀请链接和验证码只显示这一次，离开本页后无法再次查看。请现在打印。",
            "en": "The link and code are shown this once and cannot be seen again after leaving this page. Print now.",
        },
        "lt.not_configured": {
            "zh": "系统未设置对外服务地址，链接使用的是您当前访问的地址；如代表无法访问该地址，请联系系统管理员。",
            "en": "No public address is configured: the link uses the address you are on; "
            "if delegates cannot reach it, ask the administrator.",
        },
        # Rating codes.
        "rc.title": {"zh": "窗口评价二维码", "en": "Window rating codes"},
        "rc.intro": {
            "zh": "为窗口生成“好差评”二维码并打印桌牌。二维码只在生成时显示一次；如二维码外泄，请更换或停用。",
            "en": "Make a window's rating QR code and print its table card. "
            "A code is shown only when made; if it leaks, replace or stop it.",
        },
        "rc.window": {"zh": "窗口", "en": "Window"},
        "rc.state": {"zh": "二维码", "en": "Code"},
        "rc.live_since": {"zh": "使用中（{at}生成）", "en": "In use (made {at})"},
        "rc.no_code": {"zh": "未生成", "en": "None"},
        "rc.generate": {"zh": "为所选窗口生成并打印桌牌", "en": "Make codes and print cards for the chosen windows"},
        "rc.replace": {"zh": "更换二维码", "en": "Replace the code"},
        "rc.revoke": {"zh": "停用二维码", "en": "Stop the code"},
        "error.codes_none_chosen": {"zh": "请先勾选尚未生成二维码的窗口。", "en": "Tick windows that have no code yet."},
        "rc.cards": {"zh": "窗口评价桌牌", "en": "Window rating cards"},
        "rc.card_head": {"zh": "好差评", "en": "Rate our service"},
        "rc.card_text": {
            "zh": "请您对本窗口的服务作出评价",
            "en": "Please tell us how this window served you",
        },
        "rc.card_how": {
            "zh": "微信或手机相机扫码，填写取号单上的业务号码即可评价",
            "en": "Scan with your phone camera and enter the number on your queue ticket",
        },
        "rc.card_thanks": {"zh": "您的评价是我们改进工作的动力", "en": "Your rating helps us improve"},
        "rc.once": {
            "zh": "二维码只显示这一次，请现在打印（建议A4纸，每页一个桌牌）。原有二维码已失效。",
            "en": "These codes are shown this once: print them now (A4, one card per page). "
            "Any earlier code of these windows no longer works.",
        },
        "rc.qr_label": {"zh": "评价二维码", "en": "Rating QR code"},
        "rc.done.revoked": {"zh": "二维码已停用，扫码将提示无效。", "en": "The code is stopped: scanning it says it is not valid."},
        "confirm.what.code-replace": {
            "zh": "更换后，该窗口原有二维码立即失效，须打印新桌牌替换；新二维码只显示这一次。",
            "en": "The window's current code stops working at once and its card must be replaced; the new code is shown this once.",
        },
        "confirm.what.code-revoke": {
            "zh": "停用后，该窗口的二维码立即失效，群众扫码将无法评价，直至生成新二维码。此操作不可撤回。",
            "en": "The window's code stops working at once: nobody can rate by scanning it until a new one is made. This cannot be undone.",
        },
        "error.codes_need_confirm": {
            "zh": "所选窗口中有已在使用二维码的，请逐个使用“更换二维码”。",
            "en": "Some chosen windows already have a code: replace those one by one.",
        },
    }
)
