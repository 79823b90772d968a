"""Guided assessment plans: what they hold, how they are built, dated and exported."""
