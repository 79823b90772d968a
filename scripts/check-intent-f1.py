"""Fail when the intents' macro F1 from `rasa test nlu --cross-validation` is below the bar."""

from __future__ import annotations

import json
import sys
from pathlib import Path

report_path, bar = Path(sys.argv[1]), float(sys.argv[2])
report = json.loads(report_path.read_text(encoding="utf-8"))
macro = report["macro avg"]["f1-score"]
worst = sorted(
    (scores["f1-score"], intent)
    for intent, scores in report.items()
    if isinstance(scores, dict) and not intent.endswith("avg")
)[:5]
print(f"intent macro F1 {macro:.3f} (weighted {report['weighted avg']['f1-score']:.3f}); bar {bar}")
print("weakest: " + ", ".join(f"{intent} {f1:.2f}" for f1, intent in worst))
sys.exit(0 if macro >= bar else 1)
