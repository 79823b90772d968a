"""The engine loads only a model this checkout trained: its SHA-256 recorded at training time."""

from __future__ import annotations

import hashlib
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest

from assistant.cli import main
from assistant.devstack import model as model_module
from assistant.devstack import run
from assistant.devstack.layout import ProjectLayout
from assistant.devstack.model import (
    ModelError,
    UntrustedModelError,
    ensure_model,
    hash_record_path,
    model_path,
    record_model_hash,
    verify_model,
)
from assistant.devstack.processes import Stack, StackConfig


@pytest.fixture
def project(tmp_path: Path) -> ProjectLayout:
    """A layout with one training input, so that its fingerprint and model path are stable."""
    (tmp_path / "config.yml").write_text("recipe: default.v1\n")
    return ProjectLayout(root=tmp_path)


def _model_file(directory: Path, name: str = "model-0123456789abcdef.tar.gz") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_bytes(b"\x1f\x8b not really a model " * 1000)
    return path


def test_a_recorded_hash_verifies(tmp_path: Path) -> None:
    model = _model_file(tmp_path)
    digest = record_model_hash(model)
    assert digest == hashlib.sha256(model.read_bytes()).hexdigest()
    record = hash_record_path(model)
    assert record.name == f"{model.name}.sha256"
    # sha256sum's format, so `cd var/models && sha256sum -c model-*.sha256` checks it too.
    assert record.read_text() == f"{digest}  {model.name}\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    verify_model(model)


def test_a_tampered_model_is_refused(tmp_path: Path) -> None:
    model = _model_file(tmp_path)
    record_model_hash(model)
    with model.open("r+b") as f:
        f.seek(100)
        f.write(b"X")
    with pytest.raises(UntrustedModelError, match="has changed since") as caught:
        verify_model(model)
    assert "assistant train" in str(caught.value)


def test_a_model_without_a_recorded_hash_is_refused(tmp_path: Path) -> None:
    model = _model_file(tmp_path)
    with pytest.raises(UntrustedModelError, match="no hash was recorded") as caught:
        verify_model(model)
    message = str(caught.value)
    assert f"rm {model}" in message and "make clean && make run" in message


@pytest.mark.parametrize("content", ["", "not-a-hash  model.tar.gz\n", "ab" * 31 + "\n"])
def test_a_malformed_hash_record_is_refused(tmp_path: Path, content: str) -> None:
    model = _model_file(tmp_path)
    hash_record_path(model).write_text(content)
    with pytest.raises(UntrustedModelError, match="not a SHA-256"):
        verify_model(model)


def test_a_missing_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UntrustedModelError, match="does not exist"):
        verify_model(tmp_path / "model-0123456789abcdef.tar.gz")


def test_untrusted_model_error_is_a_model_error() -> None:
    # `assistant run` and `assistant train` print ModelError cleanly and exit 1.
    assert issubclass(UntrustedModelError, ModelError)
    assert issubclass(model_module.TrainingError, ModelError)


def test_reusing_a_model_dropped_in_without_a_hash_is_refused(project: ProjectLayout) -> None:
    dropped = _model_file(project.models, model_path(project).name)
    with pytest.raises(UntrustedModelError, match="no hash was recorded"):
        ensure_model(project, say=lambda line: None)
    assert dropped.exists(), "an untrusted model is reported, never deleted or trusted"
    assert not hash_record_path(dropped).exists()


def test_reusing_a_model_we_trained_verifies_it(project: ProjectLayout) -> None:
    trained = _model_file(project.models, model_path(project).name)
    record_model_hash(trained)
    said: list[str] = []
    assert ensure_model(project, say=said.append) == trained
    assert "Using the trained model" in said[0]


class _FakeTraining:
    """Stands in for `rasa train`: writes the --fixed-model-name file into --out."""

    def __init__(self, command: list[str], **kwargs: Any) -> None:
        out = Path(command[command.index("--out") + 1])
        name = command[command.index("--fixed-model-name") + 1]
        (out / f"{name}.tar.gz").write_bytes(b"freshly trained")
        self.stdout = iter(["Starting to train component 'LogisticRegressionClassifier'.\n"])

    def wait(self) -> int:
        return 0


def test_training_records_the_hash(project: ProjectLayout, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(subprocess, "Popen", _FakeTraining)
    target = model_path(project)
    # A record left behind by a model someone deleted is replaced, not reused.
    project.models.mkdir(parents=True)
    hash_record_path(target).write_text("0" * 64 + f"  {target.name}\n")
    assert ensure_model(project, say=lambda line: None) == target
    expected = hashlib.sha256(b"freshly trained").hexdigest()
    assert hash_record_path(target).read_text() == f"{expected}  {target.name}\n"
    verify_model(target)


def test_pruning_removes_the_hash_records_too(
    project: ProjectLayout, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_models = []
    for i in range(3):
        old = _model_file(project.models, f"model-{i:016x}.tar.gz")
        record_model_hash(old)
        old_models.append(old)
    monkeypatch.setattr(subprocess, "Popen", _FakeTraining)
    ensure_model(project, say=lambda line: None)
    kept = sorted(p.name for p in project.models.iterdir())
    assert len([name for name in kept if name.endswith(".tar.gz")]) == model_module.MODELS_KEPT
    for model in project.models.glob("*.tar.gz"):
        assert hash_record_path(model).exists()
    assert len([name for name in kept if name.endswith(".sha256")]) == model_module.MODELS_KEPT


def _stack(tmp_path: Path, model: Path) -> tuple[Stack, list[str]]:
    config = StackConfig(
        model=model,
        web_port=1,
        engine_port=2,
        actions_port=3,
        tracker_db=tmp_path / "tracker.db",
        log_dir=tmp_path / "logs",
    )
    stack = Stack(config, ProjectLayout(root=tmp_path), say=lambda line: None)
    spawned: list[str] = []

    def fake_spawn(name: str, command: list[str], env: dict[str, str]) -> Any:
        spawned.append(name)
        raise RuntimeError("spawned")

    stack._spawn = fake_spawn  # type: ignore[method-assign]
    return stack, spawned


def test_the_stack_refuses_to_start_the_engine_on_an_untrusted_model(tmp_path: Path) -> None:
    stack, spawned = _stack(tmp_path, _model_file(tmp_path / "models"))
    with pytest.raises(UntrustedModelError, match="no hash was recorded"):
        stack._start_engine()
    assert spawned == []


def test_the_stack_refuses_to_start_the_engine_on_a_tampered_model(tmp_path: Path) -> None:
    model = _model_file(tmp_path / "models")
    record_model_hash(model)
    model.write_bytes(b"swapped after training")
    stack, spawned = _stack(tmp_path, model)
    with pytest.raises(UntrustedModelError, match="has changed since"):
        stack._start_engine()
    assert spawned == []


def test_the_stack_starts_the_engine_on_a_model_we_trained(tmp_path: Path) -> None:
    model = _model_file(tmp_path / "models")
    record_model_hash(model)
    stack, spawned = _stack(tmp_path, model)
    with pytest.raises(RuntimeError, match="spawned"):
        stack._start_engine()
    assert spawned == ["engine"]


def test_assistant_train_prints_an_untrusted_model_cleanly(
    project: ProjectLayout, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _model_file(project.models, model_path(project).name)
    monkeypatch.setattr("assistant.devstack.layout.ProjectLayout", lambda: project)
    assert main(["train"]) == 1
    captured = capsys.readouterr()
    assert "Refusing to load the model" in captured.err
    assert "Traceback" not in captured.err


def test_assistant_run_prints_an_untrusted_model_cleanly(
    project: ProjectLayout, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _model_file(project.models, model_path(project).name)
    monkeypatch.setattr(run, "ProjectLayout", lambda: project)
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        assert run.run_stack(web_port=1, engine_port=2, actions_port=3) == 1
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    captured = capsys.readouterr()
    assert "Refusing to load the model" in captured.err and "assistant train" in captured.err
    assert "Traceback" not in captured.err
