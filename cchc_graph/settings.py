"""settings: Settings(BaseSettings, env prefix CCHC_): folders, the base IRI, the SHACL engine."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

from cchc_graph.iris import DEFAULT_BASE

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Where things are and how to reach them; every field can be set as CCHC_<FIELD>."""

    model_config = SettingsConfigDict(env_prefix="CCHC_")

    base_iri: str = DEFAULT_BASE
    sources_dir: Path = REPO_ROOT / "data" / "sources"
    build_dir: Path = REPO_ROOT / "data" / "build"
    ontology_dir: Path = REPO_ROOT / "ontology"
    vocab_dir: Path = REPO_ROOT / "data" / "vocab"
    shapes_dir: Path = REPO_ROOT / "shapes"
    shacl_engine: Literal["turbo", "pyshacl"] = "turbo"
    queries_dir: Path = REPO_ROOT / "queries"
    # the query layer: pyoxigraph in memory (default) or on disk, or a remote SPARQL 1.1 endpoint
    store: Literal["memory", "disk"] = "memory"
    store_dir: Path | None = None  # the on-disk store; default <build_dir>/store
    endpoint: str | None = None  # a SPARQL 1.1 query URL: when set, it replaces the embedded store
    graph_store: str | None = None  # its Graph Store Protocol URL; default <endpoint>/../store
    # the endpoint (`cchc serve`)
    host: str = "127.0.0.1"
    port: int = 8000
    query_timeout: float = 10.0  # seconds a query may run before it is stopped (503)
    row_cap: int = 10_000  # rows (or triples) past which an answer is cut (X-Result-Truncated)
    workers: int = 2  # query worker processes of the endpoint
    answer_cache: int = 64  # MiB of answers kept for questions asked again (0: none kept)

    @property
    def store_location(self) -> Path:
        return self.store_dir or self.build_dir / "store"
