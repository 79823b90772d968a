"""Deadlines in working days (England bank holidays), each explained, for every authority."""
