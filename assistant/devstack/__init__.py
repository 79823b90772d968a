"""Running the whole assistant on one machine: train when needed, start, watch, stop.

Used by `make run` (`assistant run`), the integration tests and `make bench`.
"""
