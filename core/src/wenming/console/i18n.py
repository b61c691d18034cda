"""The console's words in Chinese (first) and English: one small catalogue.

A page asks ``t("key")``; the language comes from the ``lang`` query parameter or
cookie (Chinese unless ``en``). A key missing from the catalogue shows as itself, so a
missing translation is visible rather than an error.
"""

from __future__ import annotations

LANGS = ("zh", "en")
DEFAULT = "zh"

MESSAGES: dict[str, tuple[str, str]] = {
    # chrome
    "app": ("新时代文明实践 · 工作台", "Civilization Practice console"),
    "skip": ("跳到正文", "Skip to content"),
    "nav": ("主导航", "Main navigation"),
    "signed_in_as": ("当前用户", "Signed in as"),
    "logout": ("退出", "Sign out"),
    "switch_lang": ("English", "中文"),
    "login": ("登录", "Sign in"),
    "username": ("用户名", "Username"),
    "password": ("密码", "Password"),
    "login_failed": ("用户名或密码错误", "Wrong username or password"),
    "session_expired": ("登录已过期，请重新登录", "Your session has ended: sign in again"),
    "csrf_failed": (
        "表单已过期或来源不明，请刷新页面后重试",
        "The form expired or came from elsewhere: reload the page and try again",
    ),
    "not_found": ("找不到该页面", "Page not found"),
    "refused": ("操作未执行", "Not done"),
    "done": ("已完成", "Done"),
    "back": ("返回", "Back"),
    # roles
    "role.city_dispatcher": ("市指导中心调度员", "City dispatcher"),
    "role.department_dispatcher": ("行业分中心调度员", "Department dispatcher"),
    "role.station_operator": ("站所管理员", "Station operator"),
    "role.team_leader": ("志愿服务队队长", "Team leader"),
    "role.requester": ("群众", "Requester"),
    "role.system": ("系统", "System"),
    # navigation
    "nav.orders": ("我的点单", "My demands"),
    "nav.new": ("我要点单", "File a demand"),
    "nav.queue": ("待派单", "Dispatch queue"),
    "nav.batch": ("批量派单", "Batch dispatch"),
    "nav.all": ("全部订单", "All orders"),
    "nav.tasks": ("我的派单", "My dispatches"),
    "nav.map": ("阵地地图", "Network map"),
    "nav.dashboard": ("排行榜", "Leaderboard"),
    # order fields
    "order": ("订单", "Order"),
    "state": ("状态", "State"),
    "category": ("服务类别", "Category"),
    "template": ("项目模板", "Project template"),
    "no_template": ("不选模板（自行填写）", "No template (fill in yourself)"),
    "audiences": ("服务对象", "Audiences"),
    "headcount": ("人数", "Headcount"),
    "place": ("服务地点（区划代码）", "Place (division code)"),
    "site": ("站点（区划代码）", "Site (division code)"),
    "start": ("开始日期", "Start date"),
    "end": ("结束日期", "End date"),
    "channel": ("点单渠道", "Channel"),
    "channel.platform": ("平台征集", "Platform"),
    "channel.visit": ("志愿者上门", "Door-to-door visit"),
    "channel.mailbox": ("文明实践信箱", "Practice mailbox"),
    "description": ("需求描述（原话）", "Description (own words)"),
    "tags": ("关键词（逗号分隔）", "Tags (comma-separated)"),
    "joint": ("拼单", "Joint order"),
    "parts": ("分单", "Parts"),
    "part": ("分单", "Part"),
    "department": ("部门", "Department"),
    "resource": ("承接方", "Assigned to"),
    "excluded": ("已拒单", "Declined by"),
    "overdue": ("超时", "Overdue"),
    "overdue.dispatch": ("派单超时", "Dispatch overdue"),
    "overdue.answer": ("接单超时", "Answer overdue"),
    "timeline": ("办理记录", "Timeline"),
    "when": ("时间", "When"),
    "who": ("办理人", "Who"),
    "what": ("事项", "What"),
    "why": ("说明", "Why"),
    "requester": ("点单人", "Requester"),
    "created": ("点单时间", "Filed"),
    "none": ("暂无", "None"),
    "filter": ("筛选", "Filter"),
    "any_state": ("全部状态", "Any state"),
    # states
    "state.submitted": ("待派单", "Waiting for dispatch"),
    "state.declined": ("已拒单待重派", "Declined, to re-dispatch"),
    "state.dispatched": ("已派单待接单", "Dispatched"),
    "state.accepted": ("已接单", "Accepted"),
    "state.in_service": ("服务中", "In service"),
    "state.completed": ("已完成待评单", "Completed"),
    "state.evaluated": ("已评单", "Evaluated"),
    "state.cancelled": ("已取消", "Cancelled"),
    "state.expired": ("已过期", "Expired"),
    "state.pending": ("待派单", "Pending"),
    # actions
    "action.submit": ("点单", "Submitted"),
    "action.dispatch": ("派单", "Dispatched"),
    "action.accept": ("接单", "Accepted"),
    "action.decline": ("拒单", "Declined"),
    "action.start": ("开始服务", "Started"),
    "action.complete": ("完成服务", "Completed"),
    "action.evaluate": ("评单", "Evaluated"),
    "action.cancel": ("取消", "Cancelled"),
    "action.expire": ("过期", "Expired"),
    # filing
    "new.title": ("我要点单", "File a demand"),
    "new.intro": (
        "从项目模板中选择，或填写服务类别；提交后由指导中心派单。",
        "Pick a project template or a service category; the guidance center dispatches it.",
    ),
    "new.joint_intro": (
        "需要多个部门共同提供的服务，请选择拼单模板。",
        "For a service several departments deliver together, pick a joint template.",
    ),
    "new.submit": ("提交点单", "Submit the demand"),
    "new.filed": ("点单已提交", "Demand filed"),
    "wish.title": ("用自己的话点单", "In your own words"),
    "wish.label": (
        "群众的原话（如：电站村想给约40名小学生上一堂节水课）",
        "The wish as said (e.g. a water-saving class for about 40 pupils)",
    ),
    "wish.read": ("看看系统理解了什么", "See what was understood"),
    "wish.or": ("或直接填写下面的表单", "Or fill in the form below"),
    "understood.title": ("系统的理解（请核对后提交）", "What was understood (check, then submit)"),
    "understood.field": ("项目", "Field"),
    "understood.value": ("理解为", "Understood as"),
    "understood.words": ("依据的原话", "From the words"),
    "understood.unused": ("未用上的词", "Words that set nothing"),
    "understood.questions": ("需要确认", "Please answer"),
    "departments.joint": ("拼单部门（两个或以上）", "Joint departments (two or more)"),
    "venue_capacity": ("场地容量", "Venue capacity"),
    "recurrence": ("重复", "Recurrence"),
    # dispatcher
    "queue.title": ("待派单", "Dispatch queue"),
    "candidates": ("推荐承接方", "Ranked candidates"),
    "rank": ("排名", "Rank"),
    "score": ("得分", "Score"),
    "reasons": ("各项规则得分", "Each rule's share"),
    "dispatch_this": ("派给它", "Dispatch to this one"),
    "dispatch_reason": ("派单说明（可选）", "Reason (optional)"),
    "no_candidates": ("匹配引擎没有找到可承接的资源", "The engine found no candidate"),
    "proposals": ("拼单方案", "Joint proposals"),
    "proposal": ("方案", "Proposal"),
    "dispatch_proposal": ("按此方案派单", "Dispatch this proposal"),
    "batch.title": ("批量派单", "Batch dispatch"),
    "batch.intro": (
        "同时为所有待派的分单分配承接方：最优（最小费用流）与贪心对照。",
        "Assign every waiting part at once: optimal (min-cost flow) beside greedy.",
    ),
    "batch.optimal": ("最优分配", "Optimal"),
    "batch.greedy": ("贪心分配", "Greedy"),
    "batch.total": ("总分", "Total score"),
    "batch.unassigned": ("未分配", "Unassigned"),
    "batch.run": ("按此分配派单", "Dispatch this assignment"),
    "batch.nothing": ("没有待派的分单", "No part is waiting for dispatch"),
    "batch.dispatched": ("已派单", "Dispatched"),
    "batch.joint_note": (
        "拼单和限定部门的分单不在批量分配中，派单时取各自的最佳候选。",
        "Joint and department-bound parts are outside the batch; each gets its best candidate.",
    ),
    # team leader
    "accept": ("接单", "Accept"),
    "decline": ("拒单", "Decline"),
    "decline_reason": ("拒单理由", "Reason for declining"),
    "start_service": ("开始服务", "Start the service"),
    "complete": ("完成服务", "Complete"),
    "volunteer": ("志愿者", "Volunteer"),
    "hours": ("服务时长（小时）", "Hours"),
    "add_row": ("再加一位", "Add another"),
    "note": ("备注", "Note"),
    "crew.title": ("志愿者签到签退", "Volunteers signing in and out"),
    "crew.none": ("本队尚无登记的志愿者", "No volunteer is registered with this team"),
    "crew.sign_in": ("签到", "Sign in"),
    "crew.sign_out": ("签退", "Sign out"),
    "crew.signed_in": ("已签到", "Signed in"),
    "crew.hours": ("小时", "h"),
    "action.signin": ("签到", "Signed in"),
    "action.signout": ("签退", "Signed out"),
    # requester
    "evaluate": ("评单", "Evaluate"),
    "rating": ("评分", "Rating"),
    "comment": ("评价", "Comment"),
    "cancel": ("取消订单", "Cancel the order"),
    "cancel_reason": ("取消理由", "Reason for cancelling"),
    # everyone
    "map.title": ("阵地地图", "Network map"),
    "map.open": ("在新窗口打开地图", "Open the map in a new window"),
    "dashboard.title": ("排行榜", "Leaderboard"),
    "dashboard.open": ("在新窗口打开排行榜", "Open the leaderboard in a new window"),
    "home.title": ("工作台", "Console"),
}


def lang_of(value: str | None) -> str:
    """A supported language code from a query parameter or cookie value."""
    return value if value in LANGS else DEFAULT


def translate(key: str, lang: str) -> str:
    """The message ``key`` in ``lang`` (the key itself when the catalogue lacks it)."""
    pair = MESSAGES.get(key)
    if pair is None:
        return key
    return pair[LANGS.index(lang)]
