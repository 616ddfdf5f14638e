"""Blueprints for the pages."""

from flask import Flask


def register_web(app: Flask) -> None:
    pass
