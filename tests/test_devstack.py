"""Run tooling without starting anything: when to retrain, the single-instance lock."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from assistant.devstack.layout import ProjectLayout
from assistant.devstack.model import model_path, training_fingerprint
from assistant.devstack.run import AlreadyRunningError, acquire_run_lock
from assistant.settings import PROJECT_ROOT


@pytest.fixture
def project(tmp_path: Path) -> ProjectLayout:
    for name in ("config.yml", "domain.yml", "nlu", "engine", "requirements"):
        source = PROJECT_ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / name)
    return ProjectLayout(root=tmp_path)


def test_fingerprint_ignores_timestamps(project: ProjectLayout) -> None:
    before = training_fingerprint(project)
    os.utime(project.root / "domain.yml", (0, 0))
    assert training_fingerprint(project) == before


@pytest.mark.parametrize(
    "changed",
    ["config.yml", "domain.yml", "nlu/nlu.yml", "engine/channels.py", "requirements/engine.txt"],
)
def test_fingerprint_changes_with_every_training_input(
    project: ProjectLayout, changed: str
) -> None:
    before = training_fingerprint(project)
    with (project.root / changed).open("a", encoding="utf-8") as f:
        f.write("\n# changed\n")
    assert training_fingerprint(project) != before


def test_a_new_training_data_file_changes_the_fingerprint(project: ProjectLayout) -> None:
    before = training_fingerprint(project)
    (project.root / "nlu" / "extra.yml").write_text('version: "3.1"\n')
    assert training_fingerprint(project) != before


def test_files_outside_the_training_inputs_do_not(project: ProjectLayout) -> None:
    before = training_fingerprint(project)
    (project.root / "README.md").write_text("docs")
    assert training_fingerprint(project) == before


def test_model_is_named_by_its_fingerprint(project: ProjectLayout) -> None:
    path = model_path(project)
    assert path.parent == project.root / "var" / "models"
    assert path.name == f"model-{training_fingerprint(project)}.tar.gz"


def test_a_second_run_is_told_the_first_is_running(tmp_path: Path) -> None:
    lock_path = tmp_path / "run" / "assistant-8000.lock"
    held = acquire_run_lock(lock_path, "http://127.0.0.1:8000")
    try:
        with pytest.raises(
            AlreadyRunningError, match=rf"already running \(process {os.getpid()}\)"
        ):
            acquire_run_lock(lock_path, "http://127.0.0.1:8000")
    finally:
        held.close()
    # Once the first has gone, the lock can be taken again.
    acquire_run_lock(lock_path, "http://127.0.0.1:8000").close()
