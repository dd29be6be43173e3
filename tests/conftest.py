"""Shared fixtures: a graph built once from data/sources/ into a temporary folder."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import uvicorn

from cchc_graph.build import BuildReport, build
from cchc_graph.iris import DEFAULT_BASE
from cchc_graph.namespaces import sparql_prefixes
from cchc_graph.remote import RemoteStore
from cchc_graph.settings import Settings
from cchc_graph.store import EmbeddedStore, Store
from cchc_graph.validate import load_shapes, shape_files
from cchc_graph.web import create_app

ROOT = Path(__file__).parent.parent
SOURCES = ROOT / "data" / "sources"


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildReport, Path]:
    """The sources' graph, built once per test session."""
    out = tmp_path_factory.mktemp("build")
    return build(Settings(), SOURCES, out), out


@pytest.fixture(scope="session")
def shapes() -> rdflib.Graph:
    """The project's shapes (shapes/*.ttl, or CCHC_SHAPES_DIR), parsed once per session."""
    return load_shapes(shape_files(Settings().shapes_dir))


@pytest.fixture(scope="session")
def store(built: tuple[BuildReport, Path]) -> ox.Store:
    """The built graph in an in-memory pyoxigraph store."""
    graph = ox.Store()
    graph.bulk_load(path=built[1] / "cchc.trig", format=ox.RdfFormat.TRIG)
    return graph


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    """Rows of a SELECT over the union of all named graphs, as plain strings."""
    prefixes = sparql_prefixes({"id": DEFAULT_BASE})
    result = store.query(prefixes + query, use_default_graph_as_union=True)
    rows = []
    for solution in result:  # type: ignore[union-attr]
        rows.append(
            {
                v.value: solution[v].value
                for v in result.variables  # type: ignore[union-attr]
                if solution[v] is not None
            }
        )
    return rows


# ------------------------------------------------------------------ stores and servers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                response.read()
                return
        except (urllib.error.URLError, OSError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture(scope="session")
def oxigraph_server(built: tuple[BuildReport, Path]) -> Iterator[str]:
    """A real `oxigraph serve` (PyPI `oxigraph`) on 127.0.0.1, in memory, loaded with the build
    through the Graph Store Protocol; yields its query URL."""
    binary = Path(sys.executable).parent / "oxigraph"
    if not binary.exists():
        binary = Path(shutil.which("oxigraph") or "oxigraph")
    port = free_port()
    process = subprocess.Popen(
        [str(binary), "serve", "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D")
        RemoteStore(f"http://127.0.0.1:{port}/query").load_build(built[1])
        yield f"http://127.0.0.1:{port}/query"
    finally:
        process.terminate()
        process.wait(10)


# Debian's virtuoso-opensource-7 ships no configuration a test can use: this one keeps the
# database in a temporary folder and both ports on 127.0.0.1
VIRTUOSO_INI = """[Database]
DatabaseFile = {root}/virtuoso.db
ErrorLogFile = {root}/virtuoso.log
LockFile = {root}/virtuoso.lck
TransactionFile = {root}/virtuoso.trx
xa_persistent_file = {root}/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {root}/virtuoso-temp.db
TransactionFile = {root}/virtuoso-temp.trx
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
MaxClientConnections = 8
CheckpointInterval = 0
DirsAllowed = ., {root}
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
MaxQueryMem = 512M
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {root}
MaxClientConnections = 8
ServerThreads = 8
Charset = UTF-8
EnabledGzipContent = 0
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime = 120
"""
VIRTUOSO_DBA = ("dba", "dba")  # the account of a new Virtuoso database


@pytest.fixture(scope="session")
def virtuoso_server(
    built: tuple[BuildReport, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A real Virtuoso 7 (Debian's virtuoso-opensource-7, installed by .ci/run) on 127.0.0.1
    with a database of its own, loaded with the build through its authenticated Graph Store
    endpoint; yields its query URL."""
    binary = shutil.which("virtuoso-t")
    assert binary, "Virtuoso is not installed: apt-get install virtuoso-opensource-7"
    root = tmp_path_factory.mktemp("virtuoso")
    sql_port, http_port = free_port(), free_port()
    ini = root / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(root=root, sql_port=sql_port, http_port=http_port))
    process = subprocess.Popen(
        [binary, "+foreground", "+configfile", str(ini)],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{http_port}/sparql"
    try:
        wait_for(f"{endpoint}?query=ASK%7B%7D", seconds=120)
        store = RemoteStore(
            endpoint, f"http://127.0.0.1:{http_port}/sparql-graph-crud-auth", 120, VIRTUOSO_DBA
        )
        store.load_build(built[1])
        yield endpoint
    finally:
        stop(process, 30)


@pytest.fixture(scope="session")
def embedded_store(built: tuple[BuildReport, Path]) -> EmbeddedStore:
    return EmbeddedStore.in_memory(built[1])


@pytest.fixture(scope="session", params=["embedded", "remote", "virtuoso"])
def query_store(request: pytest.FixtureRequest) -> Store:
    """Each canned-query test runs three times: on the embedded store, on a real oxigraph
    server and on a real Virtuoso."""
    if request.param == "embedded":
        return request.getfixturevalue("embedded_store")  # type: ignore[no-any-return]
    if request.param == "virtuoso":
        return RemoteStore(request.getfixturevalue("virtuoso_server"), timeout=120)
    return RemoteStore(request.getfixturevalue("oxigraph_server"))


@contextlib.contextmanager
def in_process_server(settings: Settings) -> Iterator[str]:
    """`cchc serve`'s app under a real uvicorn server in this process, on settings.port."""
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=settings.port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_for(f"http://127.0.0.1:{settings.port}/sparql", seconds=60)
        yield f"http://127.0.0.1:{settings.port}"
    finally:
        server.should_exit = True
        thread.join(15)


def stop(process: subprocess.Popen[bytes], seconds: float) -> None:
    """Terminate a server process, and kill it if it does not stop in time."""
    process.terminate()
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


ENDPOINT_TIMEOUT = 3.0
ENDPOINT_ROW_CAP = 500


@dataclass(frozen=True)
class RunningEndpoint:
    url: str
    settings: Settings


@pytest.fixture(scope="session")
def endpoint(built: tuple[BuildReport, Path]) -> Iterator[RunningEndpoint]:
    """`cchc serve`'s app under a real uvicorn server on a free port (3 s timeout, 500-row cap)."""
    settings = Settings(
        build_dir=built[1],
        port=free_port(),
        query_timeout=ENDPOINT_TIMEOUT,
        row_cap=ENDPOINT_ROW_CAP,
    )
    with in_process_server(settings) as url:
        yield RunningEndpoint(url, settings)


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sources with a script, an image handler and a closing script tag in one task's text,
    built and served."""
    root = tmp_path_factory.mktemp("hostile")
    sources = root / "sources"
    shutil.copytree(SOURCES, sources)
    path = sources / "004_e5038761a6850e2f.txt"
    text = path.read_text(encoding="utf-8")
    needle = "Thoái vốn nhà nước tại Công ty Cổ phần Môi trường Đô thị Nha Trang"
    assert needle in text
    hostile = "<script>alert('x')</script><img src=x onerror=alert(1)></script> Thoái vốn"
    path.write_text(text.replace(needle, hostile + needle[len("Thoái vốn") :]), encoding="utf-8")
    out = root / "build"
    build(Settings(), sources, out)
    with in_process_server(Settings(build_dir=out, sources_dir=sources, port=free_port())) as url:
        yield url


@dataclass
class ServerProcess:
    """`cchc serve` as its own process, as an operator runs it."""

    url: str
    process: subprocess.Popen[bytes]

    def children(self) -> list[int]:
        """The query workers and the validation process: the server's child processes."""
        found = []
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            found += [int(pid) for pid in (task / "children").read_text().split()]
        return found


def rss_mib(pid: int) -> float:
    """A process's resident memory now, in MiB (0 when it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    return next(
        (int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmRSS:")),
        0.0,
    )


@contextlib.contextmanager
def serving(
    build_dir: Path, sources_dir: Path = SOURCES, **settings: str
) -> Iterator[ServerProcess]:
    """Start `cchc serve` on a free port with CCHC_* settings; stop it afterwards."""
    port = free_port()
    env = {
        **os.environ,
        "CCHC_BUILD_DIR": str(build_dir),
        "CCHC_SOURCES_DIR": str(sources_dir),
        **{f"CCHC_{name.upper()}": value for name, value in settings.items()},
    }
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "cchc"), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/sparql", seconds=60)
        yield ServerProcess(f"http://127.0.0.1:{port}", process)
    finally:
        stop(process, 15)
        if process.stderr is not None:
            process.stderr.close()
