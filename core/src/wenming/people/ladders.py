"""Star ladders and extra record classes: collected from core, the plugins and the
deployment file once, when the people service starts.

Core ships ``core.national`` and ``core.zhangjiagang``; a plugin contributes
``<plugin>.<name>`` through ``register_star_ladders``; the deployment file defines
``deployment.<name>`` under ``[[people.ladders]]``. ``[people] star_ladder`` picks the
one that counts. Hooks are called plugin by plugin so a bad record names its plugin.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from wenming.errors import ConfigError, PluginError
from wenming.people.records import BUILTIN_LADDERS, RecordClass, StarLadder

if TYPE_CHECKING:
    import pluggy

    from wenming.deployment import Deployment


def _contributions(pm: pluggy.PluginManager, hook: str, record_type: type) -> dict[str, Any]:
    found: dict[str, Any] = {}
    caller = getattr(pm.hook, hook, None)
    if caller is None:
        return found
    for impl in reversed(caller.get_hookimpls()):
        plugin = impl.plugin_name

        def register(record: Any, *, _plugin: str = plugin) -> None:
            if not isinstance(record, record_type):
                raise PluginError(
                    _plugin,
                    f"{hook} registered {type(record).__name__}, not {record_type.__name__}",
                )
            key = f"{_plugin}.{record.name}"
            if key in found:
                raise PluginError(_plugin, f"{hook}: {key} is registered twice")
            found[key] = record

        try:
            impl.function(register=register)
        except PluginError:
            raise
        except Exception as exc:
            raise PluginError(plugin, f"hook {hook} raised {type(exc).__name__}: {exc}") from None
    return found


def collect_ladders(deployment: Deployment) -> dict[str, StarLadder]:
    """Every ladder this deployment knows, by namespaced name."""
    ladders: dict[str, StarLadder] = {f"core.{ld.name}": ld for ld in BUILTIN_LADDERS}
    for key, ladder in _contributions(deployment.pm, "register_star_ladders", StarLadder).items():
        if key in ladders:
            raise PluginError(key.split(".")[0], f"ladder {key} is already defined")
        ladders[key] = ladder
    source = str(deployment.path) if deployment.path else "deployment"
    for item in deployment.config.people.ladders:
        try:
            ladder = StarLadder(
                name=item.name,
                name_zh=item.name_zh,
                jurisdiction=item.jurisdiction,
                version=item.version,
                thresholds=item.thresholds,
                description=item.description,
            )
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{source}: people.ladders {item.name!r}: {exc}") from None
        ladders[f"deployment.{item.name}"] = ladder
    return ladders


def active_ladder(
    deployment: Deployment, ladders: Mapping[str, StarLadder]
) -> tuple[str, StarLadder]:
    """The ladder ``[people] star_ladder`` names; an unknown name is a config error."""
    name = deployment.config.people.star_ladder
    if name not in ladders:
        source = str(deployment.path) if deployment.path else "deployment"
        raise ConfigError(
            f"{source}: people.star_ladder: no ladder {name!r} (known: {', '.join(sorted(ladders))})"
        )
    return name, ladders[name]


def collect_record_classes(deployment: Deployment) -> dict[str, RecordClass]:
    """Extra record classes the plugins contribute (``register_record_classes``)."""
    return _contributions(deployment.pm, "register_record_classes", RecordClass)


def rounder(steps: tuple[tuple[float, float], ...]) -> Callable[[int], float]:
    """Minutes served → hours: whole hours, plus the step the rest of the minutes reach.

    With the default steps ``[[15, 0], [45, 0.5], [60, 1]]``: 10 min → 0 h, 30 min →
    0.5 h, 50 min → 1 h, 2 h 20 min → 2.5 h.
    """

    def hours(minutes: int) -> float:
        whole, rest = divmod(max(int(minutes), 0), 60)
        for up_to, h in steps:
            if rest <= up_to:
                return whole + h
        return whole + 1.0

    return hours
