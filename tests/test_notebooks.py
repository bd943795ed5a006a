"""The researchers' and auditors' notebooks run top to bottom as Jupyter runs them.

JupyterLab starts each kernel in the notebook's folder, `notebooks/`, so the tests do the same;
the archive is found through `PORTAL_ARCHIVE_HOME` or by looking for `demo-archive/` upwards
(pipelines.loader.find_archive). Plots must reach the notebook as `image/png` outputs.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest
from e2e import REPO, cli
from nbclient import NotebookClient

from pipelines.loader import DEMO_ARCHIVE, find_archive

NOTEBOOKS = REPO / "notebooks"


@pytest.fixture(scope="module")
def demo_archive(tmp_path_factory) -> Path:
    archive = tmp_path_factory.mktemp("nb") / "demo-archive"
    out = cli("demo", "--archive", str(archive), "--articles", "40", "--seed", "3")
    assert "report:" in out.stdout
    return archive


def execute(name: str, cwd: Path) -> nbformat.NotebookNode:
    """Run notebook `name` with its kernel's working directory at `cwd`; raises on any error."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}})
    client.execute()  # raises CellExecutionError, with the cell and traceback, on any failure
    return nb


def outputs(nb: nbformat.NotebookNode) -> list[dict]:
    return [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]


def text_of(nb: nbformat.NotebookNode) -> str:
    return "\n".join(str(out.get("text", "")) + str(out.get("data", {}).get("text/plain", ""))
                     + str(out.get("data", {}).get("text/html", "")) for out in outputs(nb))


def images(nb: nbformat.NotebookNode) -> int:
    return sum(1 for out in outputs(nb) if "image/png" in out.get("data", {}))


@pytest.mark.parametrize("name", ["explore.ipynb", "audit.ipynb"])
def test_notebook_is_committed_without_outputs(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.slow
@pytest.mark.parametrize("name", ["explore.ipynb", "audit.ipynb"])
def test_notebook_runs_in_jupyters_working_directory(name, demo_archive, monkeypatch):
    # A headless machine often sets a non-interactive backend; the notebooks still plot inline.
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("PORTAL_ARCHIVE_HOME", str(demo_archive))
    nb = execute(name, cwd=NOTEBOOKS)
    text = text_of(nb)
    assert f"archive: {demo_archive.resolve()}" in text
    if name == "explore.ipynb":
        assert images(nb) >= 3  # articles per month, per category, documents per type and year
        assert "urn:uuid:" in text  # a row traced back to its WARC record
    else:
        assert images(nb) >= 1  # changed fields
        # Changes as a table of item, field, before, after, evidence; no raw dicts.
        for column in ("item", "field", "before", "after", "evidence"):
            assert f">{column}</th>" in text
        assert "{'snapshot_id'" not in text and "'warc_offset':" not in text
        assert ".warc.gz@" in text


@pytest.mark.slow
def test_notebooks_run_on_the_upload_portal_archive(demo_archive, monkeypatch):
    """`make demo`'s upload-portal night pair: no numeric ids (items keyed by their canonical
    URL), platform and profile shown; both notebooks run and say so."""
    monkeypatch.setenv("MPLBACKEND", "Agg")
    archive = demo_archive / "platforms" / "upload-portal"
    monkeypatch.setenv("PORTAL_ARCHIVE_HOME", str(archive))
    explore = execute("explore.ipynb", cwd=NOTEBOOKS)
    text = text_of(explore)
    assert f"archive: {archive.resolve()}" in text
    assert "('upload-portal', 'upload-portal')" in text
    assert ">item_key</th>" in text and ">platform</th>" in text and ">profile</th>" in text
    assert ">article_id</th>" not in text  # a stand-in number, not the portal's: not shown
    assert re.search(r"<td>/[\w-]+/[\w-]+/", text)  # URL keys (long cells end in "...")
    assert images(explore) >= 3 and "urn:uuid:" in text
    audit = execute("audit.ipynb", cwd=NOTEBOOKS)
    text = text_of(audit)
    assert "'platform': 'upload-portal', 'profile': 'upload-portal'" in text
    assert re.search(r"\d+ added, \d+ removed, [1-9]\d* changed", text)
    assert re.search(r"article /[\w-]+/[\w-]+/[\w-]+\.html: ", text)  # items by URL key
    for column in ("item", "field", "before", "after", "evidence"):
        assert f">{column}</th>" in text
    assert images(audit) >= 1 and ".warc.gz@" in text


@pytest.mark.slow
def test_notebook_finds_demo_archive_without_the_variable(demo_archive, tmp_path, monkeypatch):
    """No PORTAL_ARCHIVE_HOME: the notebook, run from a folder below the one holding
    `demo-archive/` (as `notebooks/` is below the repository root), finds it."""
    monkeypatch.delenv("PORTAL_ARCHIVE_HOME", raising=False)
    project = tmp_path / "project"
    shutil.copytree(demo_archive, project / DEMO_ARCHIVE)
    (project / "notebooks").mkdir()
    nb = execute("explore.ipynb", cwd=project / "notebooks")
    assert f"archive: {(project / DEMO_ARCHIVE).resolve()}" in text_of(nb)
    assert images(nb) >= 3


def test_find_archive_rule(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_ARCHIVE_HOME", str(tmp_path / "elsewhere"))
    assert find_archive(tmp_path) == tmp_path / "elsewhere"  # the variable wins, as documented
    monkeypatch.delenv("PORTAL_ARCHIVE_HOME")
    (tmp_path / DEMO_ARCHIVE).mkdir()
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_archive(deep) == (tmp_path / DEMO_ARCHIVE).resolve()
    (deep / DEMO_ARCHIVE).mkdir()
    assert find_archive(deep) == (deep / DEMO_ARCHIVE).resolve()  # the nearest one


def test_find_archive_says_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.delenv("PORTAL_ARCHIVE_HOME", raising=False)
    if (REPO / DEMO_ARCHIVE).is_dir():
        pytest.skip("this checkout has a demo-archive/, the last place looked")
    with pytest.raises(FileNotFoundError, match="PORTAL_ARCHIVE_HOME"):
        find_archive(tmp_path)
