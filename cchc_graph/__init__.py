"""cchc-graph: Vietnamese administrative-reform plans -> a provenance-tracked RDF graph.

The public names load their module when first used: a query worker or a command that needs
one stage does not pay for importing the whole pipeline (half a second, at every worker start).
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cchc_graph.build import BuildReport, DocumentSummary, build, parse_sources
    from cchc_graph.errors import CchcError, SourceError
    from cchc_graph.parse import detect_layout, parse_document
    from cchc_graph.records import (
        AgencyMention,
        Assignment,
        Citation,
        Deadline,
        Deliverable,
        DocumentHeader,
        ParsedDocument,
        Problem,
        Section,
        Span,
        Target,
        Task,
    )
    from cchc_graph.resources import load_lexicon
    from cchc_graph.settings import Settings

__version__ = "0.1.0"

_HOMES = {
    "BuildReport": "build",
    "DocumentSummary": "build",
    "build": "build",
    "parse_sources": "build",
    "CchcError": "errors",
    "SourceError": "errors",
    "detect_layout": "parse",
    "parse_document": "parse",
    "AgencyMention": "records",
    "Assignment": "records",
    "Citation": "records",
    "Deadline": "records",
    "Deliverable": "records",
    "DocumentHeader": "records",
    "ParsedDocument": "records",
    "Problem": "records",
    "Section": "records",
    "Span": "records",
    "Target": "records",
    "Task": "records",
    "load_lexicon": "resources",
    "Settings": "settings",
}

__all__ = [
    "AgencyMention",
    "Assignment",
    "BuildReport",
    "CchcError",
    "Citation",
    "Deadline",
    "Deliverable",
    "DocumentHeader",
    "DocumentSummary",
    "ParsedDocument",
    "Problem",
    "Section",
    "Settings",
    "SourceError",
    "Span",
    "Target",
    "Task",
    "build",
    "detect_layout",
    "load_lexicon",
    "parse_document",
    "parse_sources",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'cchc_graph' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"cchc_graph.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*__all__, "__version__"])


class _Package(types.ModuleType):
    """Importing the submodule `cchc_graph.build` sets the package's attribute `build` to that
    module; the public `build` is the function, as it was when it was imported eagerly."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _HOMES and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
