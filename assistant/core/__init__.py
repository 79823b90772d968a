"""The assistant's core: plain Python, testable without Rasa, FastAPI or a database."""
