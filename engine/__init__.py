"""Extensions loaded by the Rasa engine process (Python 3.10, rasa 3.6): never by the app.

This package runs inside the engine environment, so it may import `rasa`; nothing in the
`assistant` package imports it.
"""
