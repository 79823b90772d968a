"""Starts the real Rasa engine, action server and web app on free ports, once per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.devstack.layout import ProjectLayout
from assistant.devstack.model import ensure_model
from assistant.devstack.processes import Stack, StackConfig, free_port


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    layout = ProjectLayout()
    if not layout.engine_rasa.exists():
        pytest.fail("The engine environment is missing: run `make install` first.")
    model = ensure_model(layout, say=lambda line: None)
    workdir = tmp_path_factory.mktemp("stack")
    config = StackConfig(
        model=model,
        web_port=free_port(),
        engine_port=free_port(),
        actions_port=free_port(),
        tracker_db=workdir / "tracker.db",
        database_url=f"sqlite:///{workdir / 'app.db'}",
        log_dir=workdir / "logs",
        extra_env={"ASSISTANT_TODAY": "2026-11-23"},
    )
    running = Stack(config, layout, say=lambda line: None)
    running.start()
    processes = [child.process for child in running.children]
    try:
        yield running
    finally:
        running.stop()
    assert all(p.poll() is not None for p in processes), "a child process outlived stop()"
