"""The plugin contract: every hook a wenming plugin can implement.

Contribution hooks (``register_*``) are called once, when a deployment starts, each
with a ``register`` callback. Call it once per record; it validates the record on
the spot and remembers which plugin contributed it. The hooks return nothing.
Lifecycle hooks (``before_*`` / ``after_*``) are called by the order workflow on each
transition; they are the only hooks called after start-up.

Implement hooks with :data:`wenming.hookimpl` in a module named by an entry point of
the group ``wenming``; parameter names must match the spec (pluggy rejects others, and
wenming rejects hooks that do not exist here). Every ``Example::`` block below runs
as a test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click
    from fastapi import APIRouter

    from wenming.people.records import HoursConfirmed, LevelChanged, RecordClass, StarLadder
    from wenming.records import (
        Audience,
        Category,
        Department,
        Resource,
        Rule,
        RuleKind,
        Setting,
        SiteType,
        Tag,
        Template,
        Transition,
        Veto,
    )

hookspec = pluggy.HookspecMarker("wenming")


@hookspec
def register_department(register: Callable[[Department], None]) -> None:
    """Declare the department this plugin speaks for; call ``register`` at most once.

    ``Department.code`` must equal the plugin's name (its entry-point name). Records
    the plugin contributes without a scope belong to this department.

    Example::

        from wenming import hookimpl
        from wenming.records import Department
        from wenming.testing import load_registry

        class Water:
            @hookimpl
            def register_department(register):
                register(Department(
                    code="water", name_zh="市水务局", name_en="Water Affairs Bureau",
                    subcenter_zh="水务行业新时代文明实践分中心",
                    subcenter_en="Water affairs practice sub-center",
                    corps_zh="水务志愿服务总队", corps_en="Water affairs volunteer corps"))

        registry = load_registry(Water, name="water")
        assert registry.departments["water"].name_en == "Water Affairs Bureau"
    """


@hookspec
def register_site_types(register: Callable[[SiteType], None]) -> None:
    """Contribute site types, namespaced as ``<plugin>.<name>``.

    Department plugins contribute industry ``practice_point`` types; core contributes
    the territorial ``center`` / ``institute`` / ``station``, the ``guidance_center``
    and the ``subcenter``.

    Example::

        from wenming import hookimpl
        from wenming.records import SiteType
        from wenming.testing import load_registry

        class Water:
            @hookimpl
            def register_site_types(register):
                register(SiteType(name="waterworks", name_zh="水厂",
                                  name_en="Waterworks", level="practice_point"))

        registry = load_registry(Water, name="water")
        assert registry.site_types["water.waterworks"].level == "practice_point"
    """


@hookspec
def register_categories(register: Callable[[Category], None]) -> None:
    """Contribute service categories beyond core's standing ones (``core.legal`` …).

    Example::

        from wenming import hookimpl
        from wenming.records import Category
        from wenming.testing import load_registry

        class Water:
            @hookimpl
            def register_categories(register):
                register(Category(name="water_saving", name_zh="节水宣传",
                                  name_en="Water-saving outreach"))

        registry = load_registry(Water, name="water")
        assert "water.water_saving" in registry.categories
    """


@hookspec
def register_audiences(register: Callable[[Audience], None]) -> None:
    """Contribute key populations (重点人群) beyond core's (``core.minors``, ``core.elderly`` …).

    Example::

        from wenming import hookimpl
        from wenming.records import Audience
        from wenming.testing import load_registry

        class Transport:
            @hookimpl
            def register_audiences(register):
                register(Audience(name="taxi_drivers", name_zh="出租车司机",
                                  name_en="Taxi drivers"))

        registry = load_registry(Transport, name="transport")
        assert "transport.taxi_drivers" in registry.audiences
    """


@hookspec
def register_templates(register: Callable[[Template], None]) -> None:
    """Contribute project templates; a template with ``parts`` is a joint (拼单) template.

    References (``category``, ``audiences``, ``site_types``) may be local names, which
    resolve in this plugin's namespace and then in ``core``. A joint template whose
    partner departments are not all installed is kept out of the registry and listed
    as unavailable, with the missing departments.

    Example::

        from wenming import hookimpl
        from wenming.records import SiteType, Template
        from wenming.testing import load_registry

        class Water:
            @hookimpl
            def register_site_types(register):
                register(SiteType(name="waterworks", name_zh="水厂",
                                  name_en="Waterworks", level="practice_point"))

            @hookimpl
            def register_templates(register):
                register(Template(
                    name="water_journey", name_zh="一滴水的旅行",
                    name_en="The journey of a drop of water",
                    category="science", audiences=["minors"],
                    site_types=["waterworks"], capacity=40, seed=True))

        registry = load_registry(Water, name="water")
        template = registry.templates["water.water_journey"]
        assert template.category == "core.science"
        assert template.site_types == ("water.waterworks",)
    """


@hookspec
def register_rule_kinds(register: Callable[[RuleKind], None]) -> None:
    """Contribute a kind of matching rule with its vectorised implementation.

    ``impl`` names a class (``module:Class``) that the matching engine imports when
    it compiles; it evaluates the rule over whole arrays of candidates, never per
    pair. Core registers the standing kinds (``core.category``, ``core.distance`` …).

    Example::

        import attrs
        from wenming import hookimpl
        from wenming.records import RuleKind
        from wenming.testing import load_registry

        @attrs.frozen
        class DepthParams:
            min_depth_m: float = 1.0

        class Water:
            @hookimpl
            def register_rule_kinds(register):
                register(RuleKind(name="depth", params=DepthParams,
                                  impl="wenming_water.kinds:Depth",
                                  description="Pool depth at least min_depth_m"))

        registry = load_registry(Water, name="water")
        assert registry.rule_kinds["water.depth"].params is DepthParams
    """


@hookspec
def register_rules(register: Callable[[Rule], None]) -> None:
    """Contribute parameterised matching rules, instances of registered rule kinds.

    ``params`` is checked against the kind's parameter class; an unknown or ill-typed
    parameter is an error naming the plugin, the rule and the field. With an empty
    scope a department's rule judges only that department's resources.

    Example::

        from wenming import hookimpl
        from wenming.records import Rule
        from wenming.testing import load_registry

        class Education:
            @hookimpl
            def register_rules(register):
                register(Rule(name="summer_only", kind="time", mode="filter",
                              params={"months": [7, 8]}))

        registry = load_registry(Education, name="education")
        rule = registry.rules["education.summer_only"]
        assert rule.kind == "core.time" and rule.params.months == (7, 8)
    """


@hookspec
def register_resources(register: Callable[[Resource], None]) -> None:
    """Contribute seed resources: the venues, projects and teams a department shares.

    ``place`` is an administrative division code (county, town or village).

    Example::

        from wenming import hookimpl
        from wenming.records import Resource
        from wenming.testing import load_registry

        class Emergency:
            @hookimpl
            def register_resources(register):
                register(Resource(
                    name="blue_sky_rescue", kind="team", name_zh="蓝天救援队",
                    name_en="Blue Sky Rescue", place="3205",
                    categories=["emergency_rescue"], capacity=40, members=120))

        registry = load_registry(Emergency, name="emergency")
        team = registry.resources["emergency.blue_sky_rescue"]
        assert team.categories == ("core.emergency_rescue",)
    """


@hookspec
def register_settings(register: Callable[[Setting], None]) -> None:
    """Declare the plugin's typed settings; deployments set them under ``[settings.<plugin>]``.

    Example::

        from wenming import hookimpl
        from wenming.records import Setting
        from wenming.testing import load_registry

        class Health:
            @hookimpl
            def register_settings(register):
                register(Setting(name="max_class_per_trainer", type="int", default=30,
                                 minimum=1, description="Trainees per first-aid trainer"))

        registry = load_registry(Health, name="health",
                                 settings={"health": {"max_class_per_trainer": 20}})
        assert registry.setting("health", "max_class_per_trainer") == 20
    """


@hookspec
def register_commands(register: Callable[[click.Command], None]) -> None:
    """Add click commands to the ``wenming`` command line.

    A command name already taken (by core or another plugin) is an error naming both.

    Example::

        import click
        from wenming import hookimpl
        from wenming.testing import load_registry

        @click.command(name="water-report")
        def water_report():
            "Print the water affairs summary."
            click.echo("ok")

        class Water:
            @hookimpl
            def register_commands(register):
                register(water_report)

        registry = load_registry(Water, name="water")
        assert registry.commands["water-report"].plugin == "water"
    """


@hookspec(firstresult=True)
def before_transition(transition: Transition) -> Veto | None:
    """Called before an order changes state; return a :class:`~wenming.records.Veto` to refuse.

    The first veto stops the transition and nothing is written; its reason and the
    vetoing plugin are reported to the caller. Return ``None`` to let it pass. It runs
    before the order is written, so for ``submit`` ``transition.order_id`` is 0.

    Example::

        from wenming import hookimpl
        from wenming.records import Transition, Veto
        from wenming.testing import load_plugin_manager

        class NoSundays:
            @hookimpl
            def before_transition(transition):
                if transition.action == "dispatch" and transition.at.weekday() == 6:
                    return Veto("no dispatching on Sundays")

        pm = load_plugin_manager(NoSundays, name="no_sundays")
        import datetime as dt
        t = Transition(order_id=1, action="dispatch", from_state="submitted",
                       to_state="dispatched", actor="ops", role="city_dispatcher",
                       at=dt.datetime(2023, 3, 26, tzinfo=dt.timezone.utc))
        assert pm.hook.before_transition(transition=t).reason == "no dispatching on Sundays"
    """


@hookspec
def after_transition(transition: Transition) -> Any:
    """Called after an order's state change is committed, to observe it.

    An observer that raises is logged with its plugin's name; the transition stands.

    Example::

        import datetime as dt
        from wenming import hookimpl
        from wenming.records import Transition
        from wenming.testing import load_plugin_manager

        outbox = []

        class Notify:
            @hookimpl
            def after_transition(transition):
                outbox.append((transition.order_id, transition.to_state))

        pm = load_plugin_manager(Notify, name="notify")
        pm.hook.after_transition(transition=Transition(
            order_id=7, action="accept", from_state="dispatched", to_state="accepted",
            actor="team-7", role="team_leader", at=dt.datetime.now(dt.timezone.utc)))
        assert outbox == [(7, "accepted")]
    """


@hookspec
def register_metrics(register: Callable[[Any], None]) -> None:
    """Contribute leaderboard metrics: :class:`~wenming.reports.metrics.Metric` records.

    A metric is data — the order-event actions it counts, the value it sums, filters on
    the event's facts — so counting it needs no call into the plugin. Its name is
    namespaced by the plugin (``water.classes``); ``wenming stats metrics`` lists it.

    Example::

        from wenming import hookimpl
        from wenming.reports.metrics import Metric
        from wenming.testing import load_plugin_manager

        class Water:
            @hookimpl
            def register_metrics(register):
                register(Metric("classes", "水课堂场次", "Water classes", "sum",
                                actions=("complete",),
                                where={"template": "water.water_classroom"}))

        pm = load_plugin_manager(Water, name="water")
        found = []
        pm.hook.register_metrics(register=found.append)
        assert found[0].where == {"template": "water.water_classroom"}
    """


@hookspec
def register_event_observers(register: Callable[[Any], None]) -> None:
    """Contribute functions run INSIDE the transaction that appends order events.

    ``register(fn)`` once per function; the workflow calls ``fn(deployment, connection,
    events)`` with the event rows it is appending, before it commits — so what ``fn``
    writes (counters, service records) commits or rolls back with the events. ``fn``
    must only write through ``connection``, must be quick (it runs on every
    transition) and may raise to abort the transition. Core's own counters
    (:mod:`wenming.reports.counters`) are registered this way. To observe after the
    commit, use ``after_transition``.

    Example::

        from wenming import hookimpl
        from wenming.testing import load_plugin_manager

        seen = []

        class Audit:
            @hookimpl
            def register_event_observers(register):
                register(lambda deployment, connection, events: seen.extend(events))

        pm = load_plugin_manager(Audit, name="audit")
        observers = []
        pm.hook.register_event_observers(register=observers.append)
        observers[0](None, None, [{"action": "submit"}])
        assert seen == [{"action": "submit"}]
    """


@hookspec
def register_point_rules(register: Callable[[Any], None]) -> None:
    """Contribute rules civilized units earn points by: :class:`~wenming.reports.units.PointRule`.

    A rule is data — points per instance, a cap per period, the evidence a claim needs,
    whether points carry over — and its name is namespaced by the plugin.

    Example::

        from wenming import hookimpl
        from wenming.reports.units import PointRule
        from wenming.testing import load_plugin_manager

        class Water:
            @hookimpl
            def register_point_rules(register):
                register(PointRule("river_chief", "民间河长巡河", "Volunteer river chief",
                                   points=2, cap=24, period="year", evidence=1))

        pm = load_plugin_manager(Water, name="water")
        found = []
        pm.hook.register_point_rules(register=found.append)
        assert found[0].cap == 24
    """


@hookspec
def register_star_ladders(register: Callable[[StarLadder], None]) -> None:
    """Contribute star-level ladders (星级志愿者), namespaced as ``<plugin>.<name>``.

    A ladder is data: the hours each level starts at, the jurisdiction whose rule it is
    (a division code, ``"CN"`` for the national one) and a version. Core ships
    ``core.national`` (100/300/600/1,000/1,500 h) and ``core.zhangjiagang``
    (30/60/100/200/300 h); a deployment picks one with ``[people] star_ladder``, and
    changing it recomputes every volunteer's level.

    Example::

        from wenming import hookimpl
        from wenming.people.ladders import collect_ladders
        from wenming.people.records import StarLadder
        from wenming.people.testing import make_deployment

        class Kunshan:
            @hookimpl
            def register_star_ladders(register):
                register(StarLadder(name="kunshan", name_zh="昆山市星级志愿者",
                                    jurisdiction="320583", version="2024",
                                    thresholds=[50, 150, 300, 500, 800]))

        ladders = collect_ladders(make_deployment([("kunshan", Kunshan)]))
        assert ladders["kunshan.kunshan"].level(160) == 2
        assert ladders["core.national"].level(160) == 1
    """


@hookspec
def register_record_classes(register: Callable[[RecordClass], None]) -> None:
    """Contribute classes of a volunteer's record beyond the national five.

    《志愿服务记录与证明出具办法》 names five classes: basic information, service,
    training, awards and evaluation. A plugin may add its own (``<plugin>.<name>``);
    entries of it are added with ``People.add_record`` and appear in the volunteer's
    record and export.

    Example::

        from wenming import hookimpl
        from wenming.people.ladders import collect_record_classes
        from wenming.people.records import RecordClass
        from wenming.people.testing import make_deployment

        class Health:
            @hookimpl
            def register_record_classes(register):
                register(RecordClass(name="blood_donation", name_zh="无偿献血",
                                     name_en="Blood donation"))

        classes = collect_record_classes(make_deployment([("health", Health)]))
        assert classes["health.blood_donation"].name_zh == "无偿献血"
    """


@hookspec
def after_hours_confirmed(confirmation: HoursConfirmed) -> Any:
    """Called after a team leader's confirmation (or correction) of hours is committed.

    One call per volunteer and part. An observer that raises is logged with its
    plugin's name; the hours stand.

    Example::

        import datetime as dt
        from wenming import hookimpl
        from wenming.people.records import HoursConfirmed
        from wenming.testing import load_plugin_manager

        thanks = []

        class Thanks:
            @hookimpl
            def after_hours_confirmed(confirmation):
                thanks.append((confirmation.volunteer_id, confirmation.hours))

        pm = load_plugin_manager(Thanks, name="thanks")
        pm.hook.after_hours_confirmed(confirmation=HoursConfirmed(
            volunteer_id=7, order_id=3, part_seq=1, team="water.corps", department="water",
            station="320505001002", hours=2.5, total_hours=102.5, actor="corps-lead",
            at=dt.datetime.now(dt.timezone.utc)))
        assert thanks == [(7, 2.5)]
    """


@hookspec
def after_level_changed(change: LevelChanged) -> Any:
    """Called after confirmed or corrected hours moved a volunteer's star level, once the
    change is committed.

    A change of the deployment's ladder recomputes every level in one statement and
    records one ``ladder`` event; it does not call this hook per volunteer.

    Example::

        import datetime as dt
        from wenming import hookimpl
        from wenming.people.records import LevelChanged
        from wenming.testing import load_plugin_manager

        stars = []

        class Badge:
            @hookimpl
            def after_level_changed(change):
                if change.after > change.before:
                    stars.append((change.volunteer_id, change.after))

        pm = load_plugin_manager(Badge, name="badge")
        pm.hook.after_level_changed(change=LevelChanged(
            volunteer_id=7, ladder="core.national", before=0, after=1, total_hours=101.0,
            at=dt.datetime.now(dt.timezone.utc)))
        assert stars == [(7, 1)]
    """


@hookspec
def register_lexicon(register: Callable[[Any], None]) -> None:
    """Contribute words for free-text intake: :class:`~wenming.intake.Phrase` records
    (the department's own phrases and what they mean) and :class:`~wenming.intake.Step`
    records (an extra interpreter step run once per wish).

    Called once, when a deployment's intake interpreter is built; every phrase of
    every plugin is compiled into one matcher, so no hook is called per word or per
    wish. A phrase's references (template, category, audiences) may be local names; a
    phrase without departments or template hints at the plugin's own department.

    Example::

        from wenming import hookimpl
        from wenming.deployment import Deployment
        from wenming.intake import Interpreter, Phrase, Step

        def small_wishes(draft):
            if draft.get("headcount") is None and "几个人" in draft.normalised:
                draft.set("headcount", 5, ["几个人"], "几个人: about five")

        class WaterWords:
            @hookimpl
            def register_lexicon(register):
                register(Phrase(words="节水小课堂 惜水课", template="water.water_classroom",
                                tags=["water_saving"]))
                register(Step(name="small_wishes", run=small_wishes))

        deployment = Deployment.in_memory(extra_plugins=[("water_words", WaterWords)])
        wish = Interpreter.from_deployment(deployment).understand(
            "电站村想办个惜水课，就几个人", today="2027-06-15")
        assert wish.demand.template == "water.water_classroom"
        assert wish.demand.headcount == 5
        assert wish.why("template").words == ("惜水课",)
    """


@hookspec
def register_tags(register: Callable[[Tag], None]) -> None:
    """Contribute subject tags with their Chinese names and synonyms (the vocabulary).

    Resources, templates and rules name tags by ``name``; demands may use the name,
    the Chinese name or a synonym. A department's tags are namespaced
    (``water.water_saving``); core's shared tags keep their bare name.

    Example::

        from wenming import hookimpl
        from wenming.records import Tag
        from wenming.testing import load_registry

        class Water:
            @hookimpl
            def register_tags(register):
                register(Tag(name="water_saving", name_zh="节水", name_en="Water saving",
                             synonyms=("节约用水", "省水")))

        registry = load_registry(Water, name="water")
        tag = registry.tags["water.water_saving"]
        assert tag.department is None and "省水" in tag.synonyms
    """


@hookspec
def register_routes(register: Callable[[APIRouter], None]) -> None:
    """Contribute HTTP routes to ``wenming serve``; call ``register`` with a FastAPI router.

    Each router is served under ``/plugins/<plugin>`` and only to signed-in users; a
    route that acts takes the caller's actor with the dependency
    :func:`wenming.api.auth.current_actor` and leaves the role rules to the Python API
    it calls. A hook that raises is reported with the plugin's name and its routes are
    left out (the deployment's ``strict`` mode stops start-up instead).

    Example::

        from fastapi import APIRouter, Depends
        from fastapi.testclient import TestClient
        from wenming import hookimpl
        from wenming.api import create_app
        from wenming.api.auth import current_actor
        from wenming.orders.testing import make_workflow

        router = APIRouter()

        @router.get("/summary")
        def summary(actor=Depends(current_actor)):
            return {"department": "water", "asked_by": actor.role}

        class WaterReport:
            @hookimpl
            def register_routes(register):
                register(router)

        deployment = make_workflow("sqlite://", [("water_report", WaterReport)]).deployment
        app = create_app(deployment)
        accounts = app.state.wenming.accounts
        ops = accounts.add("ops", "city_dispatcher", "a long password")
        client = TestClient(app)
        headers = {"Authorization": f"Bearer {accounts.access_token(ops)}"}
        got = client.get("/plugins/water_report/summary", headers=headers)
        assert got.json() == {"department": "water", "asked_by": "city_dispatcher"}
        assert client.get("/plugins/water_report/summary").status_code == 401
    """
