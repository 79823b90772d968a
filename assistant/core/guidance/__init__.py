"""Answers in the house style (ANSWER_STYLE.md): situation, must/should steps, sources."""
