"""Practice assistant for children's social care assessments in England.

`assistant.core` is plain Python (no Rasa, FastAPI or SQLAlchemy imports); the other
subpackages are adapters around it: the web app, the engine client, the store, the CLI.
"""
