"""Train the Rasa model only when its inputs changed; otherwise reuse the one we have.

The engine loads only a model this checkout trained: after training, the model file's SHA-256
is recorded beside it (`model-<fingerprint>.tar.gz.sha256`, in `sha256sum` format), and
`verify_model` refuses any model without that record or whose bytes no longer match it. A
Rasa model is trusted input: its metadata names the Python classes the engine imports and
runs, with the configuration and data the archive carries (before 3.6.21 it was also
unpickled: CVE-2024-49375, why 3.6.21 is the floor).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from assistant.devstack.layout import ProjectLayout

# Keep a few recent models so switching branches back and forth does not always retrain.
MODELS_KEPT = 3


# The only ASSISTANT_* variables the engine reads (endpoints.yml, deploy/scale/endpoints.yml,
# and the shared secret in engine/channels.py).
ENGINE_VARIABLE_PREFIXES = (
    "ASSISTANT_ACTION_ENDPOINT_",
    "ASSISTANT_TRACKER_DB",
    "ASSISTANT_REDIS_",
    "ASSISTANT_ENGINE_",
    "ASSISTANT_INTERNAL_TOKEN",
)


def engine_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for every engine process: telemetry off, quiet TensorFlow and SQLAlchemy,
    and none of the web app's settings but the few the engine reads: the engine has no use
    for the secret key, the Teams password, sign-in or database credentials, and a process
    that does not hold a secret cannot leak it (a crash dump, a debug endpoint, a plugin)."""
    env = {
        name: value
        for name, value in (os.environ if base is None else base).items()
        if not name.startswith("ASSISTANT_") or name.startswith(ENGINE_VARIABLE_PREFIXES)
    }
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
            hash_record_path(old).unlink(missing_ok=True)


class ModelError(RuntimeError):
    """The model cannot be had: training failed, or the model is not one we trained."""


class TrainingError(ModelError):
    pass


class UntrustedModelError(ModelError):
    """A model without a recorded hash, or whose bytes do not match it: never loaded."""


def hash_record_path(model: Path) -> Path:
    """Where the SHA-256 recorded when `model` was trained is kept: beside it."""
    return model.with_name(f"{model.name}.sha256")


def file_sha256(path: Path) -> str:
    """The file's SHA-256, read in chunks (models are tens of megabytes)."""
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def record_model_hash(model: Path) -> str:
    """Record the model's SHA-256 beside it, atomically (a reader never sees half a record)."""
    digest = file_sha256(model)
    fd, tmp = tempfile.mkstemp(prefix=f".{model.name}.", suffix=".tmp", dir=model.parent)
    try:
        os.fchmod(fd, 0o644)  # like the model beside it (mkstemp makes it 0600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(f"{digest}  {model.name}\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, hash_record_path(model))
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return digest


def _retrain_advice(model: Path) -> str:
    return (
        f"Delete it and train again: `rm {model}` then `.venv/bin/assistant train` "
        "(or `make clean && make run`, which also removes local databases and logs)."
    )


def verify_model(model: Path) -> None:
    """Raise UntrustedModelError unless `model` is byte for byte the model we trained.

    Called before every engine start and whenever an existing model is reused.
    """
    record = hash_record_path(model)
    if not model.is_file():
        raise UntrustedModelError(f"The model {model} does not exist.")
    try:
        recorded = record.read_text(encoding="ascii").split()
    except FileNotFoundError:
        raise UntrustedModelError(
            f"Refusing to load the model {model}: no hash was recorded for it ({record.name} "
            "is missing), so it was not trained by this checkout, or it was trained before "
            "model hashes were recorded. " + _retrain_advice(model)
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise UntrustedModelError(
            f"Refusing to load the model {model}: its hash record {record} cannot be read "
            f"({error}). " + _retrain_advice(model)
        ) from None
    expected = recorded[0].lower() if recorded else ""
    if len(expected) != 64 or any(c not in "0123456789abcdef" for c in expected):
        raise UntrustedModelError(
            f"Refusing to load the model {model}: its hash record {record} is not a SHA-256. "
            + _retrain_advice(model)
        )
    actual = file_sha256(model)
    if actual != expected:
        raise UntrustedModelError(
            f"Refusing to load the model {model}: its SHA-256 is {actual}, not the {expected} "
            "recorded when it was trained, so the file has changed since. " + _retrain_advice(model)
        )


def ensure_model(layout: ProjectLayout, say: Callable[[str], None] = print) -> Path:
    """Return the model for the current inputs, training it first if there is none."""
    target = model_path(layout)
    if target.is_file():
        verify_model(target)
        say(f"Using the trained model {target.relative_to(layout.root)} (inputs unchanged).")
        return target
    layout.models.mkdir(parents=True, exist_ok=True)
    hash_record_path(target).unlink(missing_ok=True)  # a record left without its model
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
    record_model_hash(target)
    _prune_old_models(layout, keep=target)
    say(f"Model trained: {target.relative_to(layout.root)}")
    return target
