"""Reading manifests: YAML (multi-document) or JSON text, as kubectl reads them."""

from __future__ import annotations

from typing import Any

import yaml

from podcore.errors import BadRequest

# The C loader is much faster where PyYAML was built with libyaml.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _error(exc: yaml.YAMLError) -> BadRequest:
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    problem = getattr(exc, "problem", None) or str(exc)
    return BadRequest(f"error parsing YAML{where}: {problem}")


def load_all(text: str | bytes) -> list[Any]:
    """Every non-empty document of a YAML or JSON stream."""
    try:
        return [d for d in yaml.load_all(text, Loader=_Loader) if d is not None]
    except yaml.YAMLError as exc:
        raise _error(exc) from None


def load_one(text: str | bytes) -> Any:
    """The single document of a YAML or JSON text."""
    docs = load_all(text)
    if len(docs) != 1:
        raise BadRequest(f"expected one object, found {len(docs)} documents")
    return docs[0]
