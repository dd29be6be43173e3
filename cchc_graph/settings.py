"""settings: Settings(BaseSettings, env prefix CCHC_): folders, the base IRI, the SHACL engine."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

from cchc_graph.admission import Limits
from cchc_graph.guard import QueryPolicy
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
    store_dir: Path | None = None  # the on-disk store; default the current build's folder/store
    endpoint: str | None = None  # a SPARQL 1.1 query URL: when set, it replaces the embedded store
    graph_store: str | None = None  # its Graph Store Protocol URL; default <endpoint>/../store
    # who loads it, when it asks (Virtuoso's /sparql-graph-crud-auth does); else a netrc entry
    graph_store_user: str | None = None
    graph_store_password: str | None = None
    # the endpoint (`cchc serve`)
    host: str = "127.0.0.1"
    port: int = 8000
    query_timeout: float = 10.0  # seconds a query may run, once it has a worker (then 503)
    row_cap: int = 10_000  # rows (or triples) past which an answer is cut (X-Result-Truncated)
    answer_limit: int = 64  # MiB past which an answer is cut at its last whole row
    workers: int = 4  # query worker processes of the endpoint
    answer_cache: int = 64  # MiB of answers kept for questions asked again (0: none kept)
    query_memory: int = 1024  # MiB one query may take in its worker (0: no limit)
    # sharing the workers (see admission.py): a client is one address
    queue_wait: float | None = None  # seconds a request waits for a worker [query_timeout]
    queue: int = 64  # requests waiting at most, in all (then 503 + Retry-After)
    client_queries: int = 2  # queries one client runs at once
    client_waiting: int = 4  # and has waiting (then 429 + Retry-After)
    long_after: float = 1.0  # seconds past which a query is long
    long_queries: int = 1  # long queries at once; one more is stopped (503 + Retry-After)
    # what a query may ask (see guard.py)
    service_allow: str = ""  # SERVICE endpoints allowed, separated by spaces (none by default)
    query_nesting: int = 64  # brackets nested at most
    query_operators: int = 4000  # operators, separators and keywords at most
    body_limit: int = 1024  # KiB of a request body (then 413)

    def graph_store_credentials(self) -> tuple[str, str] | None:
        """The login for loads the settings give (None: a netrc file's, if any)."""
        if self.graph_store_user is None:
            return None
        return self.graph_store_user, self.graph_store_password or ""

    def query_policy(self) -> QueryPolicy:
        return QueryPolicy(
            frozenset(self.service_allow.replace(",", " ").split()),
            self.query_nesting,
            self.query_operators,
        )

    def limits(self) -> Limits:
        return Limits(
            workers=self.workers,
            per_client=self.client_queries,
            client_waiting=self.client_waiting,
            queue=self.queue,
            long_after=self.long_after,
            long_queries=self.long_queries,
            retry_after=max(1, math.ceil(self.query_timeout)),
        )
