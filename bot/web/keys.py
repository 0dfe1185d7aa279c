"""Typed keys for what the app factory stores on the application."""

import aiohttp
from aiohttp import web

from bot.model.database import Database
from bot.settings import Settings

DATABASE = web.AppKey("database", Database)
SETTINGS = web.AppKey("settings", Settings)
RASA_CLIENT = web.AppKey("rasa_client", aiohttp.ClientSession)
