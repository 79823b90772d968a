"""Rasa custom actions: thin adapters that translate tracker <-> core calls.

Served by rasa-sdk in the app environment (`python -m rasa_sdk --actions actions`).
"""
