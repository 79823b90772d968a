"""Train the Rasa model only when its inputs changed; otherwise reuse the one we have."""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

from assistant.devstack.layout import ProjectLayout

# Keep a few recent models so switching branches back and forth does not always retrain.
MODELS_KEPT = 3


def engine_environment() -> dict[str, str]:
    """Environment for every engine process: telemetry off, quiet TensorFlow and SQLAlchemy."""
    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        PYTHONWARNINGS="ignore",
    )
    return env


def training_fingerprint(layout: ProjectLayout) -> str:
    """A hash of the training inputs' paths and contents (not their timestamps)."""
    digest = hashlib.sha256()
    for path in layout.training_inputs():
        digest.update(str(path.relative_to(layout.root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def model_path(layout: ProjectLayout) -> Path:
    return layout.models / f"model-{training_fingerprint(layout)}.tar.gz"


def _prune_old_models(layout: ProjectLayout, keep: Path) -> None:
    models = sorted(layout.models.glob("model-*.tar.gz"), key=lambda p: p.stat().st_mtime)
    for old in models[:-MODELS_KEPT]:
        if old != keep:
            old.unlink(missing_ok=True)


class TrainingError(RuntimeError):
    pass


def ensure_model(layout: ProjectLayout, say: Callable[[str], None] = print) -> Path:
    """Return the model for the current inputs, training it first if there is none."""
    target = model_path(layout)
    if target.is_file():
        say(f"Using the trained model {target.relative_to(layout.root)} (inputs unchanged).")
        return target
    layout.models.mkdir(parents=True, exist_ok=True)
    layout.logs.mkdir(parents=True, exist_ok=True)
    log_path = layout.logs / "train.log"
    say("Training the Rasa model (under a minute on 2 cores)...")
    command = [
        str(layout.engine_rasa),
        "train",
        "--domain",
        "domain.yml",
        "--data",
        "nlu",
        "--config",
        "config.yml",
        "--out",
        str(layout.models),
        "--fixed-model-name",
        target.name.removesuffix(".tar.gz"),
    ]
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            command,
            cwd=layout.root,
            env=engine_environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        assert process.stdout is not None
        for line in process.stdout:
            log.write(line)
            if "Starting to train component" in line:
                component = line.rsplit("component", 1)[-1].strip(" '.\n")
                say(f"  training {component}")
        code = process.wait()
    if code != 0 or not target.is_file():
        raise TrainingError(f"Training failed (exit {code}); see {log_path}")
    _prune_old_models(layout, keep=target)
    say(f"Model trained: {target.relative_to(layout.root)}")
    return target
