"""WSGI entry point: gunicorn wsgi:app, flask --app wsgi ..."""

from approval import create_app

app = create_app()
