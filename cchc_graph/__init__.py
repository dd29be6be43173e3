"""cchc-graph: Vietnamese administrative-reform plans -> a provenance-tracked RDF graph."""

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
