"""Where the project keeps its environments, models, logs and local data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.settings import PROJECT_ROOT


@dataclass(frozen=True)
class ProjectLayout:
    root: Path = PROJECT_ROOT

    @property
    def var(self) -> Path:
        return self.root / "var"

    @property
    def models(self) -> Path:
        return self.var / "models"

    @property
    def logs(self) -> Path:
        return self.var / "log"

    @property
    def engine_rasa(self) -> Path:
        return self.root / ".venv-engine" / "bin" / "rasa"

    @property
    def engine_python(self) -> Path:
        return self.root / ".venv-engine" / "bin" / "python"

    @property
    def app_python(self) -> Path:
        return self.root / ".venv" / "bin" / "python"

    def training_inputs(self) -> list[Path]:
        """Every file whose change means the model must be trained again."""
        files = [self.root / "config.yml", self.root / "domain.yml"]
        files += sorted((self.root / "nlu").rglob("*.yml"))
        files += sorted((self.root / "engine").rglob("*.py"))
        files.append(self.root / "requirements" / "engine.txt")
        return [f for f in files if f.is_file()]
