"""Typed keys for what the app factory stores on the application."""

from aiohttp import web

from bot.model.database import Database
from bot.settings import Settings

DATABASE = web.AppKey("database", Database)
SETTINGS = web.AppKey("settings", Settings)
