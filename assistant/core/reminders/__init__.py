"""Checkpoint reminders: the dates of an assessment, said to the worker on the day."""
