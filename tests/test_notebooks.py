"""The researchers' and auditors' notebooks run top to bottom against a demo archive."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from e2e import cli
from nbclient import NotebookClient

pytestmark = pytest.mark.slow

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


@pytest.fixture(scope="module")
def demo_archive(tmp_path_factory) -> Path:
    archive = tmp_path_factory.mktemp("nb") / "demo-archive"
    out = cli("demo", "--archive", str(archive), "--articles", "40", "--seed", "3")
    assert "report:" in out.stdout
    return archive


@pytest.mark.parametrize("name", ["explore.ipynb", "audit.ipynb"])
def test_notebook_is_committed_without_outputs(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("name", ["explore.ipynb", "audit.ipynb"])
def test_notebook_runs_top_to_bottom(name, demo_archive, tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_ARCHIVE_HOME", str(demo_archive))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError, with the cell and traceback, on any failure
    text = "\n".join(
        str(out.get("text", "")) + str(out.get("data", {}).get("text/plain", ""))
        for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs
    )
    if name == "explore.ipynb":
        assert "articles" in text and "demo-archive" in text
        assert "urn:uuid:" in text  # a row traced back to its WARC record
    else:
        assert "added" in text and "changed" in text
