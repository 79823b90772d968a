"""Keeping identifying details about children and families out of what the assistant stores or
reads: workers are asked to use initials or a case reference, and anything else is masked."""
