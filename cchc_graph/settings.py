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
