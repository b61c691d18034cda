"""The words of the registry: categories, audiences and tags, by ID, name or synonym.

One place answers "which record does this word mean?" for the CLI, the order forms,
the Python API and the engine: :func:`resolve` takes an ID (``core.science`` or
``science``), a Chinese or English name (``科学普及``) or, for tags, a synonym
(``节约用水``) and returns the ID; an unknown word raises a one-line
:class:`~wenming.errors.WenmingError` with the closest known words ("did you mean").

Tags are the subject vocabulary that plugins contribute with ``register_tags``.
Resources and templates name tags by their local name (``water_saving``); the engine
reads every such word through :meth:`Vocabulary.canonical`, so a resource's
``water_saving``, a demand's ``节水`` and the ID ``water.water_saving`` are one bit.
Words that no tag knows stay as they are (free words still match exactly).

Only the standard library is imported here (the CLI resolves words before it loads
NumPy).
"""

from __future__ import annotations

import difflib
import weakref
from collections.abc import Iterable
from typing import TYPE_CHECKING

from wenming.errors import WenmingError

if TYPE_CHECKING:
    from wenming.registry import Registry

#: The kinds of words :func:`resolve` knows, with their label in messages.
KINDS = {"category": "category", "audience": "audience", "tag": "tag"}
#: Shortest known word read inside a compound word (``节水宣传`` → ``节水``).
MIN_PART = 2


def _key(word: str) -> str:
    return " ".join(word.strip().lower().replace("_", " ").split())


_CONVERTER: list = []


def _simplified(word: str) -> str:
    """The word in simplified characters (OpenCC's t2s), loaded on first use."""
    if not _CONVERTER:
        import opencc

        _CONVERTER.append(opencc.OpenCC("t2s"))
    return _CONVERTER[0].convert(word)


class Vocabulary:
    """Every word of one registry, indexed by kind."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.words: dict[str, dict[str, list[str]]] = {k: {} for k in KINDS}
        self.labels: dict[str, dict[str, str]] = {k: {} for k in KINDS}
        for kind, table in (("category", registry.categories), ("audience", registry.audiences)):
            for rid, rec in table.items():
                self.labels[kind][rid] = rec.name_zh
                for word in (rid, rid.split(".", 1)[-1], rec.name_zh, rec.name_en):
                    self._add(kind, word, rid)
        tags = getattr(registry, "tags", {})
        # core's tags first, so a word shared with a department's tag reads as core's
        for rid in sorted(tags, key=lambda t: ("." in t, t)):
            tag = tags[rid]
            self.labels["tag"][rid] = tag.name_zh
            for word in (rid, rid.split(".", 1)[-1], tag.name_zh, tag.name_en, *tag.synonyms):
                self._add("tag", word, rid)
        self._memo: dict[tuple[str, str | None], str] = {}
        self.local: dict[str, list[str]] = {}
        for rid in tags:
            self.local.setdefault(rid.split(".", 1)[-1], []).append(rid)
        self._parts = sorted(
            (w for w in self.words["tag"] if len(w) >= MIN_PART and not w.isascii()),
            key=lambda w: (-len(w), w),
        )

    def _add(self, kind: str, word: str, rid: str) -> None:
        ids = self.words[kind].setdefault(_key(word), [])
        if rid not in ids:
            ids.append(rid)

    # ------------------------------------------------------------------ look-up

    def lookup(self, kind: str, word: str) -> list[str]:
        """Every ID the word may mean (empty when none); a word in traditional
        characters is read as its simplified form (節水 → 节水)."""
        found = self.words[kind].get(_key(word))
        if found is None and not word.isascii():
            simplified = _simplified(word)
            if simplified != word:
                found = self.words[kind].get(_key(simplified))
        return list(found or ())

    def resolve(self, kind: str, word: str, *, extra: Iterable[str] = ()) -> str:
        """The ID a word means; ``extra`` are further accepted IDs (free resource tags).

        A word meaning several tags resolves to the first (core's before a
        department's, then by ID); :meth:`resolve_tags` returns all of them.
        """
        if kind not in KINDS:
            raise WenmingError(f"unknown kind of word {kind!r} (known: {', '.join(KINDS)})")
        ids = self.lookup(kind, word)
        if ids:
            return ids[0]
        extra = set(extra)
        if word in extra:
            return word
        raise WenmingError(self.unknown_message(kind, word, extra=extra))

    def resolve_tags(
        self, words: Iterable[str], *, extra: Iterable[str] = (), compounds: bool = False
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """``(tag IDs, unknown words)`` for a demand's subject words.

        A word may mean several tags (``急救`` is first aid for health and for
        emergency management): all of them are kept. With ``compounds``, an unknown
        Chinese word is read by the known words inside it (``节水宣传`` → 节水).
        """
        if not isinstance(extra, (set, frozenset, dict)):
            extra = set(extra)
        out: dict[str, None] = {}
        unknown: list[str] = []
        for word in words:
            ids = self.lookup("tag", word)
            if not ids and word in extra:
                ids = [word]
            if not ids and compounds:
                ids = self._compound(word)
            if ids:
                out.update(dict.fromkeys(ids))
            else:
                unknown.append(word)
        return tuple(out), tuple(unknown)

    def _compound(self, word: str) -> list[str]:
        key = _key(word)
        found: list[str] = []
        rest = key
        for part in self._parts:
            if part in rest:
                found.extend(i for i in self.words["tag"][part] if i not in found)
                rest = rest.replace(part, " ")
        return found

    def canonical(self, word: str, owner: str | None = None) -> str:
        """The tag ID a resource's, template's or rule's word stands for.

        A local name resolves in the owner's namespace first, then core's, then the
        only department that has it; a Chinese name or synonym resolves like a
        demand's word. A word no tag knows is returned unchanged (a free word).
        """
        memo = self._memo.get((word, owner))
        if memo is not None:
            return memo
        found = self._canonical(word, owner)
        self._memo[(word, owner)] = found
        return found

    def _canonical(self, word: str, owner: str | None) -> str:
        tags = getattr(self.registry, "tags", {})
        if word in tags:
            return word
        if "." not in word:
            if owner and f"{owner}.{word}" in tags:
                return f"{owner}.{word}"
            local = self.local.get(word, ())
            if len(local) == 1:
                return local[0]
        ids = self.lookup("tag", word)
        if ids:
            own = [i for i in ids if owner and i.startswith(f"{owner}.")]
            return (own or ids)[0]
        return word

    # ------------------------------------------------------------------ messages

    def suggestions(
        self, kind: str, word: str, n: int = 3, *, extra: Iterable[str] = ()
    ) -> list[str]:
        """The IDs of the closest known words (by spelling, or a shared part); ``extra``
        are further known words (free tags that resources carry)."""
        key = _key(word)
        table = dict(self.words[kind])
        for w in extra:
            table.setdefault(_key(w), [w])
        keys = list(table)
        close = difflib.get_close_matches(key, keys, n=n * 2, cutoff=0.6)
        close += [k for k in keys if len(k) >= MIN_PART and (k in key or key in k)]
        out: list[str] = []
        for k in close:
            for rid in table[k]:
                if rid not in out:
                    out.append(rid)
        return out[:n]

    def unknown_message(self, kind: str, word: str, *, extra: Iterable[str] = ()) -> str:
        label = KINDS[kind]
        hint = ", ".join(
            f"{rid} ({self.labels[kind][rid]})" if rid in self.labels[kind] else rid
            for rid in self.suggestions(kind, word, extra=extra)
        )
        more = f"; did you mean {hint}?" if hint else ""
        return f"unknown {label} {word!r}{more} (wenming vocabulary lists every {label})"


_CACHE: dict[int, tuple[weakref.ref, Vocabulary]] = {}


def vocabulary(registry: Registry) -> Vocabulary:
    """The registry's vocabulary, built once per registry."""
    entry = _CACHE.get(id(registry))
    if entry is not None and entry[0]() is registry:
        return entry[1]
    vocab = Vocabulary(registry)
    _CACHE[id(registry)] = (weakref.ref(registry), vocab)
    return vocab


def resolve(registry: Registry, kind: str, word: str) -> str:
    """The ID of a category, audience or tag given by ID, name or synonym.

    Raises a one-line :class:`~wenming.errors.WenmingError` with "did you mean"
    suggestions for an unknown word.
    """
    return vocabulary(registry).resolve(kind, word)


# ----------------------------------------------------------------------------- listing


def listing(registry: Registry) -> dict[str, list[dict[str, object]]]:
    """Everything a demand or a rule can name, as plain data (what ``wenming
    vocabulary`` prints and the reference page shows): categories, audiences, tags
    with their synonyms, and rule kinds with their tier, modes and parameters."""
    import attrs

    def params(kind: object) -> list[dict[str, object]]:
        out = []
        for f in attrs.fields(kind.params):  # type: ignore[attr-defined]
            default = f.default
            if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                default = default.factory()
            if isinstance(default, tuple):
                default = list(default)
            out.append({"name": f.name, "type": str(f.type), "default": default})
        return out

    return {
        "categories": [
            {"id": k, "name_zh": c.name_zh, "name_en": c.name_en}
            for k, c in registry.categories.items()
        ],
        "audiences": [
            {"id": k, "name_zh": a.name_zh, "name_en": a.name_en}
            for k, a in registry.audiences.items()
        ],
        "tags": [
            {
                "id": k,
                "name_zh": t.name_zh,
                "name_en": t.name_en,
                "department": t.department,
                "synonyms": list(t.synonyms),
            }
            for k, t in sorted(
                getattr(registry, "tags", {}).items(), key=lambda kv: ("." in kv[0], kv[0])
            )
        ],
        "rule_kinds": [
            {
                "id": k,
                "tier": kind.tier,
                "modes": list(kind.modes),
                "description": kind.description,
                "meaning": " ".join((kind.params.__doc__ or "").split()),
                "params": params(kind),
            }
            for k, kind in registry.rule_kinds.items()
        ],
    }


def markdown(registry: Registry) -> str:
    """The vocabulary as a Markdown reference page."""
    data = listing(registry)
    out = [
        "# Words and tags",
        "",
        "<!-- Generated by `python -m wenming.docgen docs/reference` from the registry of",
        "     the installed plugins (wenming.matching.vocabulary); do not edit by hand. -->",
        "",
        "What a demand, a resource or a rule can name, generated from the installed",
        "plugins (`wenming vocabulary` prints the same; `--json` for tools). A demand may",
        "give a category, audience or tag by its ID, its Chinese or English name, or (tags)",
        "a synonym; an unknown word is answered with the closest known ones.",
        "",
        "## Service categories",
        "",
        "| ID | 中文 | English |",
        "|---|---|---|",
        *(f"| `{c['id']}` | {c['name_zh']} | {c['name_en']} |" for c in data["categories"]),
        "",
        "## Audiences (重点人群)",
        "",
        "| ID | 中文 | English |",
        "|---|---|---|",
        *(f"| `{a['id']}` | {a['name_zh']} | {a['name_en']} |" for a in data["audiences"]),
        "",
        "## Tags",
        "",
        "Core's tags are shared by several departments; a department's tags are namespaced,",
        "and the tag named after the department (`water.water`) stands for its whole line of",
        "work: every resource of the department carries it.",
        "",
        "| ID | 中文 | English | synonyms |",
        "|---|---|---|---|",
        *(
            f"| `{t['id']}` | {t['name_zh']} | {t['name_en']} | {'、'.join(t['synonyms'])} |"
            for t in data["tags"]
        ),
        "",
        "## Rule kinds",
        "",
        "The **relevance** tier judges the subject and adds whole points; the **order** tier",
        "judges who can serve and how well, and adds less than one point in all",
        "(see [Matching](../matching.md)).",
        "",
    ]
    for kind in data["rule_kinds"]:
        out += [
            f"### `{kind['id']}`",
            "",
            f"{kind['description']} Tier: {kind['tier']}; modes: {', '.join(kind['modes'])}.",
            "",
        ]
        if kind["meaning"]:
            out += [str(kind["meaning"]), ""]
        if kind["params"]:
            out += ["| parameter | type | default |", "|---|---|---|"]
            out += [
                f"| `{p['name']}` | `{p['type']}` | `{p['default']!r}` |"
                for p in kind["params"]  # type: ignore[union-attr]
            ]
            out.append("")
    return "\n".join(out).rstrip() + "\n"
