"""namespaces: every namespace IRI in one place, with the prefixes used in output files."""

from __future__ import annotations

CCHC = "https://w3id.org/cchc/def#"
ELI = "http://data.europa.eu/eli/ontology#"
ORG = "http://www.w3.org/ns/org#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
TIME = "http://www.w3.org/2006/time#"
DCTERMS = "http://purl.org/dc/terms/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"

PREFIXES: dict[str, str] = {
    "cchc": CCHC,
    "eli": ELI,
    "org": ORG,
    "skos": SKOS,
    "prov": PROV,
    "time": TIME,
    "dcterms": DCTERMS,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
}


def sparql_prefixes(extra: dict[str, str] | None = None) -> str:
    """PREFIX lines for every namespace above (and `extra`), to start a SPARQL query."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in {**PREFIXES, **(extra or {})}.items())
