"""The notebooks' helpers (notebooks/workbook.py): what they promise about outputs and folders."""
import importlib.util
import sys

import pytest

from support import REPO

_spec = importlib.util.spec_from_file_location("workbook", REPO / "notebooks" / "workbook.py")
workbook = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(workbook)


def test_sh_shows_paths_relative_to_the_workspace_and_no_memory_addresses(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    script = f"print('{tmp_path}/instance/app.sqlite'); print('<SQLiteImpl object at 0x7f3a12bc4d50> detected')"
    result = workbook.sh(f'{sys.executable} -c "{script}"')
    assert result.output == "./instance/app.sqlite\n<SQLiteImpl object> detected\n"
    printed = capsys.readouterr().out.splitlines()
    assert printed[1:] == ["./instance/app.sqlite", "<SQLiteImpl object> detected"]  # after the command line


def test_sh_fails_the_cell_on_an_unexpected_exit_code(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(workbook.CommandFailed, match="exited with 3, expected 0"):
        workbook.sh("exit 3")
    assert workbook.sh("exit 3", expect=3).returncode == 3


def test_fresh_copy_replaces_the_folder_with_the_finished_app(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ex" / "alembic").mkdir(parents=True)
    (tmp_path / "ex" / "alembic" / "leftover.py").write_text("")
    workbook.fresh_copy("ex")
    assert sorted(p.name for p in (tmp_path / "ex").iterdir()) == ["alembic", "alembic.ini", "sample_app"]
    assert not (tmp_path / "ex" / "alembic" / "leftover.py").exists()
    assert (tmp_path / "ex" / "alembic" / "env.py").read_text() == (REPO / "alembic" / "env.py").read_text()
    assert not list((tmp_path / "ex").rglob("__pycache__"))


@pytest.mark.parametrize("folder", ["../outside", "/tmp/anywhere", "ex/../../outside"])
def test_fresh_copy_stays_inside_the_workspace(tmp_path, monkeypatch, folder):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match="inside the workspace"):
        workbook.fresh_copy(folder)
