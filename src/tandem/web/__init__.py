"""The web app: FastAPI, server-rendered pages, the REST API under /api/v1."""
