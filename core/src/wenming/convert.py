"""The one cattrs converter used at the edges (TOML/JSON in, JSON out), and the
translation of cattrs' grouped errors into lines a person can act on."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import cattrs

_AT = re.compile(r"^(?P<msg>.*) @ \$\.?(?P<path>.*)$")


def _strict(kind: type, accept: tuple[type, ...]):
    def structure(value: Any, _type: type) -> Any:
        if (isinstance(value, bool) and kind is not bool) or not isinstance(value, accept):
            raise TypeError(f"expected {kind.__name__}, got {value!r}")
        return kind(value)

    return structure


@cache
def converter() -> cattrs.Converter:
    """A converter that refuses unknown keys and does not coerce ``"yes"`` into ``True``."""
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    conv.register_structure_hook(bool, _strict(bool, (bool,)))
    conv.register_structure_hook(int, _strict(int, (int,)))
    conv.register_structure_hook(float, _strict(float, (int, float)))
    conv.register_structure_hook(str, _strict(str, (str,)))
    return conv


def structure_error_lines(exc: BaseException) -> list[str]:
    """Flatten a cattrs error tree into ``key.path: what is wrong`` lines."""
    if not isinstance(exc, BaseExceptionGroup):
        return [str(exc)]
    from cattrs.v import format_exception

    def fmt(err: BaseException, type_: Any) -> str:
        if isinstance(err, TypeError) and "expected" in str(err):
            return str(err)
        if isinstance(err, ValueError):  # a validator's message names the key and the range
            return str(err)
        if isinstance(err, TypeError) and "not iterable" in str(err):
            return f"expected a list, got {str(err).split(' object')[0]}"
        return format_exception(err, type_)

    lines = []
    for message in cattrs.transform_error(exc, format_exception=fmt):
        m = _AT.match(message)
        if m is None:
            lines.append(message)
            continue
        path, msg = m["path"], m["msg"]
        extra = re.match(r"extra fields found \((?P<keys>.*)\)", msg)
        if extra:
            msg = f"unknown key(s): {extra['keys']}"
        elif msg.startswith("required field missing"):
            msg = "required key missing"
        lines.append(f"{path}: {msg}" if path else msg)
    return lines


def unstructure(value: Any) -> Any:
    return converter().unstructure(value)
