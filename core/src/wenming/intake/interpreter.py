"""The interpreter: a wish in the requester's own words → :class:`Understanding`.

Built once per deployment (the lexicon compiles at construction, ≈ tens of ms); then
:meth:`Interpreter.understand` reads one wish in well under a millisecond to a few:
normalise, one automaton pass for known words and place names, regular expressions
for counts and times, the subject scoring of :mod:`wenming.intake.subjects`, then the
plugins' steps.
"""

from __future__ import annotations

import re
import weakref
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from wenming.intake import numbers, places, subjects, times
from wenming.intake.draft import FIELDS, Draft
from wenming.intake.lexicon import Lexicon, build
from wenming.intake.records import Evidence, Question, Understanding
from wenming.intake.text import IntakeError, check, mask_personal, normalise

if TYPE_CHECKING:
    from wenming.deployment import Deployment
    from wenming.plugins import Loaded
    from wenming.registry import Registry

#: The deployment's time zone: "today" in a wish is a day there.
DEFAULT_TIME_ZONE = "Asia/Shanghai"

_FILLER = sorted(
    [
        "信箱留言",
        "留言",
        "走访时",
        "走访中",
        "上门走访",
        "上门时",
        "上门",
        "走访",
        "发现",
        "反映",
        "提出",
        "说",
        "想请",
        "想",
        "请",
        "希望",
        "能不能",
        "能否",
        "可以",
        "一下",
        "一场",
        "一次",
        "一个",
        "一堂",
        "一些",
        "几位",
        "几个",
        "我们",
        "他们",
        "大家",
        "的",
        "了",
        "来",
        "去",
        "给",
        "和",
        "跟",
        "与",
        "及",
        "帮忙",
        "帮",
        "组织",
        "开展",
        "举办",
        "办",
        "搞",
        "讲讲",
        "讲",
        "村里",
        "社区",
        "有",
        "没有",
        "需要",
        "要",
        "等",
        "都",
        "也",
        "还",
        "很",
        "多",
        "不少",
        "顺便",
        "一起",
        "为",
        "对",
        "在",
        "到",
        "让",
        "把",
        "里",
        "中",
        "上",
        "下",
        "时",
        "前",
        "后",
        "期间",
        "活动",
        "服务",
        "志愿者",
        "志愿服务",
        "大约",
        "约",
        "大概",
        "左右",
        "人",
        "名",
        "位",
        "个",
        "参加",
        "参与",
        "人数",
        "联系",
        "安排",
        "这",
        "那",
        "些",
        "吗",
        "呢",
        "吧",
        "啊",
        "呀",
        "着",
        "过",
        "又",
    ],
    key=len,
    reverse=True,
)
_FILLER_RE = re.compile("|".join(re.escape(w) for w in _FILLER))
_PUNCT = re.compile(r"[\s，。、；;：:,.!！?？“”\"'‘’（）()《》【】\[\]…—\-~·]+")
_CACHE: weakref.WeakKeyDictionary[Any, Interpreter] = weakref.WeakKeyDictionary()


def _today(value: date | str | None, tz: ZoneInfo) -> date:
    if value is None:
        return datetime.now(tz).date()
    if isinstance(value, datetime):
        return value.astimezone(tz).date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise IntakeError(f"today must be a date (YYYY-MM-DD), got {value!r}") from None


class Interpreter:
    """Reads wishes for one registry and region; build it once, call :meth:`understand`."""

    def __init__(
        self,
        registry: Registry,
        *,
        region: str = "suzhou",
        loaded: Loaded | None = None,
        time_zone: str = DEFAULT_TIME_ZONE,
    ) -> None:
        from wenming.network.regions import read_region

        self.registry = registry
        self.region = read_region(region)
        self.places = places.PlaceIndex(self.region)
        self.lexicon: Lexicon = build(registry, self.places, loaded)
        self.templates = subjects.template_table(registry)
        self.time_zone = ZoneInfo(time_zone)

    @classmethod
    def from_deployment(cls, deployment: Deployment) -> Interpreter:
        """The deployment's interpreter, built on first use and kept with it."""
        found = _CACHE.get(deployment)
        if found is None:
            region = deployment.config.region
            if deployment.path is not None and ("/" in region or "\\" in region):
                region = str(deployment.path.parent / region)
            found = cls(
                deployment.registry,
                region=region,
                loaded=deployment.loaded,
                time_zone=deployment.config.timezone,
            )
            _CACHE[deployment] = found
        return found

    # ------------------------------------------------------------------ reading

    def understand(
        self, text: str, *, place: str | None = None, today: date | str | None = None
    ) -> Understanding:
        """Read one wish. ``place`` is where it was filed (a division code: the words'
        place wins, this one decides shared names and is the default); ``today`` the day
        it was written (default: today in the deployment's time zone)."""
        text = check(text)
        day = _today(today, self.time_zone)
        context = self._context(place)
        norm, traditional = normalise(text)
        draft = Draft(text, norm, day, context)
        if traditional:
            draft.notes.append("traditional characters read as simplified")
        personal = mask_personal(text)[1]
        if personal:
            draft.notes.append(f"{' and '.join(personal)} in the words: masked when stored")
        found, matches = self._words(draft)
        self._place(draft, matches)
        self._counts(draft)
        self._times(draft)
        self._subject(draft, found)
        for plugin, step in self.lexicon.steps:
            try:
                step.run(draft)
            except IntakeError:
                raise
            except Exception as exc:
                raise IntakeError(
                    f"plugin {plugin!r}, intake step {step.name!r} failed: "
                    f"{type(exc).__name__}: {exc}"
                ) from exc
        return self._finish(draft)

    def _context(self, place: str | None) -> str | None:
        if place is None or place == "":
            return None
        from wenming.network.regions import normalize_code

        code = normalize_code(str(place))
        if not self.places.known(code):
            raise IntakeError(f"place {place!r} is not a division code of {self.region.name}")
        return code

    def _words(self, draft: Draft) -> tuple[list[tuple[str, Any]], list[places.Match]]:
        found: list[tuple[str, Any]] = []
        matches: list[places.Match] = []
        for b, e, key in self.lexicon.find(draft.normalised):
            meanings = self.lexicon.meanings.get(key, ())
            names = self.lexicon.places.get(key, ())
            if names and (not meanings or any(not n.short for n in names)):
                matches.append(places.Match(draft.words(b, e), b, e, tuple(names)))
                continue
            words = draft.use(b, e)
            found.extend((words, m) for m in meanings)
        return found, matches

    def _place(self, draft: Draft, matches: list[places.Match]) -> None:
        code, used, why, question = places.resolve(self.places, matches, draft.context_place)
        for m in matches:
            draft.spans.append((m.begin, m.end))
            draft.place_spans.append((m.begin, m.end))
        if question is not None:
            draft.ask(question)
        if code is None:
            return
        draft.named_place = code
        context = draft.context_place
        if context and context != code and context.startswith(code):
            why += f"; the filing place {self.places.label(context)} lies inside it"
            code = context
        draft.set("place", code, [m.words for m in used], why)

    def _outside_places(self, begin: int, end: int, draft: Draft) -> bool:
        return not any(b < end and begin < e for b, e in draft.place_spans)

    def _counts(self, draft: Draft) -> None:
        found = [
            c
            for c in numbers.counts(draft.normalised)
            if self._outside_places(c.start, c.end, draft)
        ]
        headcount, capacity = numbers.pick(found)
        for c in found:
            draft.use(c.start, c.end)
        if headcount is not None:
            draft.set(
                "headcount",
                headcount.value,
                [draft.words(headcount.start, headcount.end)],
                headcount.why,
            )
        if capacity is not None:
            draft.set(
                "venue_capacity",
                capacity.value,
                [draft.words(capacity.start, capacity.end)],
                capacity.why,
            )

    def _times(self, draft: Draft) -> None:
        found = [
            w
            for w in times.windows(draft.normalised, draft.today)
            if self._outside_places(w.begin, w.finish, draft)
        ]
        window, others = times.pick(found)
        recurrences = [
            r
            for r in times.recurrences(draft.normalised)
            if self._outside_places(r.begin, r.finish, draft)
        ]
        for w in found:
            draft.use(w.begin, w.finish)
        if window is not None:
            words = [draft.words(window.begin, window.finish)]
            draft.set("start", window.start, words, window.why)
            if window.end is not None:
                draft.set("end", window.end, words, window.why)
            for w in others:
                draft.notes.append(
                    f"time words {draft.words(w.begin, w.finish)!r} not used: "
                    f"{draft.words(window.begin, window.finish)!r} is narrower or first"
                )
        if recurrences:
            r = recurrences[0]
            draft.use(r.begin, r.finish)
            draft.set("recurrence", r.value, [draft.words(r.begin, r.finish)], r.why)

    def _subject(self, draft: Draft, found: list[tuple[str, Any]]) -> None:
        s = subjects.read(found, self.templates, draft.hints)
        reg = self.registry
        for d, w in s.departments:
            draft.hints[d] = w
        if s.joint is not None:
            joint = reg.templates[s.joint]
            draft.joint_template = s.joint
            draft.set("template", s.joint, s.tag_words or s.template_words, s.joint_why)
            parts = tuple(p.department for p in joint.parts)
            draft.set("departments", parts, s.tag_words, "the joint template's partners (拼单)")
            draft.set("category", joint.category, (), "the joint template's category")
        elif s.template is not None:
            template = reg.templates[s.template]
            draft.set("template", s.template, s.template_words or s.tag_words, s.template_why)
            draft.set("category", template.category, s.category_words, "the template's category")
        elif s.category is not None:
            draft.set(
                "category", s.category, s.category_words, "the words name this kind of service"
            )
        elif s.suggestion is not None:
            draft.set(
                "category",
                reg.templates[s.suggestion].category,
                s.tag_words,
                f"no kind of service named: the category of the closest template {s.suggestion}",
            )
        if s.tags:
            draft.set("tags", s.tags, s.tag_words, "subject words of the lexicon")
        if s.audiences:
            draft.set("audiences", s.audiences, s.audience_words, "key populations the words name")
        if s.suggestion and s.template is None and s.joint is None:
            draft.notes.append(
                f"closest template: {s.suggestion} (not set: the words do not name it)"
            )
        self._two_departments(draft, s)

    def _two_departments(self, draft: Draft, s: subjects.Subject) -> None:
        """Two strong departments and no joint template: ask, do not guess a joint order."""
        if s.joint is not None or len(s.departments) < 2:
            return
        (d1, w1), (d2, w2) = s.departments[:2]
        if w2 >= 3.0 and w2 >= 0.75 * w1:
            names = self.registry.departments
            draft.ask(
                Question(
                    field="departments",
                    text=f"这项需求要{names[d1].name_zh}和{names[d2].name_zh}一起拼单吗？",
                    candidates=(
                        (d1, names[d1].name_zh),
                        (d2, names[d2].name_zh),
                        (f"{d1},{d2}", "拼单"),
                    ),
                )
            )

    # ------------------------------------------------------------------ result

    def _unused(self, draft: Draft) -> tuple[str, ...]:
        mask = bytearray(len(draft.text))
        for b, e in draft.spans:
            mask[b:e] = b"\x01" * (e - b)
        out: list[str] = []
        run_start = None
        for i in range(len(draft.text) + 1):
            free = i < len(draft.text) and not mask[i]
            if free and run_start is None:
                run_start = i
            elif not free and run_start is not None:
                for chunk in _PUNCT.split(draft.normalised[run_start:i]):
                    out.extend(self._strip(chunk))
                run_start = None
        return tuple(dict.fromkeys(w for w in out if len(w) >= 2))

    @staticmethod
    def _strip(chunk: str) -> list[str]:
        """The words of an unused stretch, without filler words (想, 请, 一场 …)."""
        return [w for w in _FILLER_RE.split(chunk) if w]

    def _finish(self, draft: Draft) -> Understanding:
        from wenming.matching.demand import Demand

        v = draft.values
        place = v.get("place") or draft.context_place
        if not place:
            place = self.region.code
        asked = any(q.field == "place" for q in draft.questions)
        if place == self.region.code and not asked:
            draft.ask(
                Question(
                    field="place",
                    text="服务在哪里？请写村（社区）、镇（街道）或区县的名字。",
                )
            )
        try:
            demand = Demand(
                id="wish",
                category=v.get("category"),
                tags=v.get("tags", ()),
                audiences=v.get("audiences", ()),
                headcount=v.get("headcount", 0),
                place=place,
                start=v.get("start"),
                end=v.get("end"),
                template=v.get("template"),
                departments=v.get("departments", ()),
            )
        except (TypeError, ValueError) as exc:
            raise IntakeError(f"the words give an impossible demand: {exc}") from None
        evidence = tuple(draft.evidence[f] for f in FIELDS if f in draft.evidence)
        if "place" not in draft.evidence and draft.context_place:
            evidence += (
                Evidence(
                    "place",
                    draft.context_place,
                    (),
                    "where the wish was filed (no place in the words)",
                ),
            )
        departments = tuple(
            d for d, _ in sorted(draft.hints.items(), key=lambda kv: (-kv[1], kv[0]))
        )
        if draft.joint_template:
            parts = v.get("departments", ())
            departments = tuple(dict.fromkeys((*parts, *departments)))
        return Understanding(
            text=draft.text,
            demand=demand,
            evidence=evidence,
            unused=self._unused(draft),
            questions=tuple(draft.questions),
            venue_capacity=v.get("venue_capacity"),
            recurrence=v.get("recurrence"),
            named_place=draft.named_place,
            departments=departments,
            joint_template=draft.joint_template,
            today=draft.today,
            notes=tuple(draft.notes),
        )


def understand(
    text: str,
    *,
    place: str | None = None,
    today: date | str | None = None,
    deployment: Deployment | None = None,
) -> Understanding:
    """Read one wish with ``deployment``'s interpreter (default: every installed plugin,
    the Suzhou region) — see :meth:`Interpreter.understand`."""
    if deployment is None:
        deployment = _default_deployment()
    return Interpreter.from_deployment(deployment).understand(text, place=place, today=today)


_DEFAULT: list[Any] = []


def _default_deployment() -> Deployment:
    if not _DEFAULT:
        from wenming.deployment import Deployment

        _DEFAULT.append(Deployment.in_memory("intake"))
    return _DEFAULT[0]
