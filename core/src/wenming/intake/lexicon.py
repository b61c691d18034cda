"""The intake lexicon: every word wenming knows, compiled once into one matcher.

Sources, in order: core's phrase lexicon (``phrases.toml`` beside this module); the
registry's categories, audiences, templates (their Chinese names and the parts of
them people say: ``江南美学``, ``助医行``), departments (``水务局``), resources
(``双拥国防园``) and — where the registry has them — tags with their synonyms; the
phrases plugins contribute through ``register_lexicon``; and the region's place names.
All of it goes into one Aho–Corasick automaton (pyahocorasick), so reading a wish is
one pass over its characters, with no hook call and no segmentation.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attrs import frozen

from wenming.errors import PluginError
from wenming.intake.places import Name, PlaceIndex
from wenming.intake.records import Phrase, Step
from wenming.intake.text import normalise

if TYPE_CHECKING:
    from wenming.plugins import Loaded
    from wenming.registry import Registry

PHRASES = Path(__file__).with_name("phrases.toml")
_SPLIT = re.compile(r"[“”\"「」『』《》·・、，,：:\s（）()]+")
_SUFFIXES = (
    "进社区",
    "进村居",
    "进家庭",
    "进校园",
    "进万家",
    "进企业",
    "志愿服务",
    "公益培训",
    "志愿行动",
)
#: Parts of template names too general to name a template.
_GENERIC = frozenset(
    {"志愿服务", "志愿服务队", "志愿行动", "进社区", "公益培训", "健康义诊", "志愿讲解", "宣讲"}
)


@frozen
class Meaning:
    """What one compiled phrase means (IDs qualified)."""

    words: str
    tags: tuple[str, ...] = ()
    category: str | None = None
    audiences: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    template: str | None = None
    weight: float = 1.0
    source: str = "core"


class Lexicon:
    """Compiled words: ``find(normalised_text)`` yields ``(begin, end, meanings, places)``."""

    def __init__(self) -> None:
        self.meanings: dict[str, list[Meaning]] = {}
        self.places: dict[str, list[Name]] = {}
        self.steps: list[tuple[str, Step]] = []
        self.problems: list[str] = []
        self._automaton: Any = None

    def add(self, key: str, meaning: Meaning) -> None:
        """Add words (read-ready: simplified, lower case) and one meaning of them.
        Single characters are left out: inside a sentence they mean too many things."""
        key = normalise(key)[0].strip()
        if len(key) < 2:
            return
        known = self.meanings.setdefault(key, [])
        if meaning not in known:
            known.append(meaning)

    def compile(self) -> None:
        import ahocorasick

        automaton = ahocorasick.Automaton()
        for key in set(self.meanings) | set(self.places):
            automaton.add_word(key, key)
        automaton.make_automaton()
        self._automaton = automaton

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Non-overlapping known words in ``text``: longest first, then leftmost.

        An ASCII word matches only as a whole word (``ai`` not inside ``said``)."""
        if self._automaton is None or not text:
            return []
        hits: list[tuple[int, int, str]] = []
        for end, key in self._automaton.iter(text):
            begin = end - len(key) + 1
            if key.isascii() and key[0].isalnum():
                before = text[begin - 1] if begin > 0 else " "
                after = text[end + 1] if end + 1 < len(text) else " "
                if (before.isascii() and before.isalnum()) or (after.isascii() and after.isalnum()):
                    continue
            hits.append((begin, end + 1, key))
        hits.sort(key=lambda h: (-(h[1] - h[0]), h[0]))
        taken = bytearray(len(text))
        chosen = []
        for b, e, key in hits:
            if any(taken[b:e]):
                continue
            taken[b:e] = b"\x01" * (e - b)
            chosen.append((b, e, key))
        return sorted(chosen)


def _qualify(ref: str, known: Mapping[str, Any], owner: str) -> str | None:
    if "." in ref:
        return ref if ref in known else None
    for ns in (owner, "core"):
        if f"{ns}.{ref}" in known:
            return f"{ns}.{ref}"
    return None


def _tag(tag: str, known: set[str], tag_ids: Iterable[str]) -> str | None:
    if tag in known:
        return tag
    suffixed = [t for t in tag_ids if t.endswith(f".{tag}")]
    return suffixed[0] if len(suffixed) == 1 else None


class _Builder:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.lexicon = Lexicon()
        self.tag_ids: tuple[str, ...] = tuple(getattr(registry, "tags", {}) or {})
        known: set[str] = set(self.tag_ids)
        for t in registry.templates.values():
            known.update(t.tags, t.skills)
            for part in t.parts:
                known.update(part.skills)
        for r in registry.resources.values():
            known.update(getattr(r, "tags", ()), getattr(r, "skills", ()))
        self.known_tags = known

    def phrase(self, phrase: Phrase, owner: str) -> None:
        reg = self.registry
        loaded = set(reg.departments) | {"core"}

        def skip(ref: str) -> bool:  # a reference to a plugin that is not loaded
            return "." in ref and ref.split(".", 1)[0] not in loaded

        where = f"phrase {phrase.words[0]!r}"
        tags = []
        for t in phrase.tags:
            q = _tag(t, self.known_tags, self.tag_ids)
            if q is None:
                self.lexicon.problems.append(
                    f"plugin {owner!r}, {where}: no template, resource or tag uses {t!r}"
                )
            else:
                tags.append(q)
        category = None
        if phrase.category and not skip(phrase.category):
            category = _qualify(phrase.category, reg.categories, owner)
            if category is None:
                raise PluginError(owner, f"{where}: unknown category {phrase.category!r}")
        audiences = []
        for a in phrase.audiences:
            if skip(a):
                continue
            q = _qualify(a, reg.audiences, owner)
            if q is None:
                raise PluginError(owner, f"{where}: unknown audience {a!r}")
            audiences.append(q)
        template = None
        if phrase.template and not skip(phrase.template):
            template = _qualify(phrase.template, reg.templates, owner)
            if template is None:
                raise PluginError(owner, f"{where}: unknown template {phrase.template!r}")
        # A department that is not installed in this deployment gives no hint.
        departments = [d for d in phrase.departments if d in reg.departments]
        if not phrase.departments and template is None and owner in reg.departments:
            departments = [owner]
        if template is not None and not departments:
            departments = [template.split(".", 1)[0]]
        for words in phrase.words:
            self.lexicon.add(
                words,
                Meaning(
                    words=words,
                    tags=tuple(tags),
                    category=category,
                    audiences=tuple(audiences),
                    departments=tuple(departments),
                    template=template,
                    weight=phrase.weight,
                    source=owner,
                ),
            )

    def core_phrases(self) -> None:
        data = tomllib.loads(PHRASES.read_text(encoding="utf-8"))
        for i, entry in enumerate(data.get("phrase", []), start=1):
            try:
                phrase = Phrase(**entry)
            except (TypeError, ValueError) as exc:
                raise PluginError("core", f"{PHRASES.name}, phrase {i}: {exc}") from None
            self.phrase(phrase, "core")

    def registry_words(self) -> None:
        reg = self.registry
        add = self.lexicon.add
        for cid, c in reg.categories.items():
            add(c.name_zh, Meaning(c.name_zh, category=cid, source="registry"))
        for aid, a in reg.audiences.items():
            for words in {a.name_zh, re.sub(r"[（(].*?[)）]", "", a.name_zh)}:
                add(words, Meaning(words, audiences=(aid,), source="registry"))
        for tid, t in reg.templates.items():
            owners = tuple(p.department for p in t.parts) or (tid.split(".", 1)[0],)
            for words, weight in _template_names(t.name_zh):
                add(
                    words,
                    Meaning(
                        words, template=tid, departments=owners, weight=weight, source="registry"
                    ),
                )
        for code, d in reg.departments.items():
            names = {d.name_zh, d.subcenter_zh, d.corps_zh}
            names |= {n.removeprefix("苏州市") for n in names}
            for words in names:
                add(words, Meaning(words, departments=(code,), weight=2.0, source="registry"))
        for key, r in reg.resources.items():
            dept = reg.department_of(key)
            if dept is None:
                continue
            for words in {r.name_zh, re.sub(r"[（(].*?[)）]", "", r.name_zh)}:
                words = words.strip('“”" ')
                if len(words) >= 4:
                    add(words, Meaning(words, departments=(dept,), source="registry"))
        for tid, tag in (getattr(reg, "tags", {}) or {}).items():
            dept = getattr(tag, "department", None)
            for words in (tag.name_zh, *getattr(tag, "synonyms", ())):
                add(
                    words,
                    Meaning(
                        words, tags=(tid,), departments=(dept,) if dept else (), source="registry"
                    ),
                )

    def plugin_words(self, loaded: Loaded) -> None:
        for info in self.registry.plugins:
            if getattr(info, "status", "ok") != "ok":
                continue
            plugin = loaded.pm.get_plugin(info.name)
            impl = getattr(plugin, "register_lexicon", None)
            if impl is None or getattr(impl, "wenming_impl", None) is None:
                continue
            found: list[Any] = []
            try:
                impl(register=found.append)
            except Exception as exc:
                raise PluginError(
                    info.name, f"hook register_lexicon raised {type(exc).__name__}: {exc}"
                ) from exc
            for record in found:
                if isinstance(record, Phrase):
                    self.phrase(record, info.name)
                elif isinstance(record, Step):
                    self.lexicon.steps.append((info.name, record))
                else:
                    raise PluginError(
                        info.name,
                        f"register_lexicon: expected a Phrase or a Step, got {type(record).__name__}",
                    )

    def places(self, index: PlaceIndex) -> None:
        for words, names in index.names.items():
            key = normalise(words)[0]
            if len(key) >= 2:
                self.lexicon.places.setdefault(key, []).extend(names)


def _template_names(name_zh: str) -> list[tuple[str, float]]:
    """The ways people say a template: its name, the parts of it, the name without
    a trailing 进社区/志愿服务 (at least three characters each)."""
    out = {name_zh.strip(): 3.0}
    for part in _SPLIT.split(name_zh):
        if len(part) >= 3 and part not in _GENERIC:
            out.setdefault(part, 2.0)
    for words in list(out):
        for suffix in _SUFFIXES:
            short = words[: -len(suffix)]
            if words.endswith(suffix) and len(short) >= 3 and short not in _GENERIC:
                out.setdefault(short, 2.0)
    return list(out.items())


def build(registry: Registry, index: PlaceIndex, loaded: Loaded | None = None) -> Lexicon:
    """Compile the lexicon of a registry (and its plugins' ``register_lexicon``)."""
    builder = _Builder(registry)
    builder.core_phrases()
    builder.registry_words()
    if loaded is not None:
        builder.plugin_words(loaded)
    builder.places(index)
    lexicon = builder.lexicon
    lexicon.compile()
    return lexicon
