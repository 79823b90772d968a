"""The web app: the assistant's only public surface."""
