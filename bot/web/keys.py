"""Typed keys for what the app factory stores on the application."""

import aiohttp
from aiohttp import web
from telegram.ext import Application

from bot.model.database import Database
from bot.settings import Settings

DATABASE = web.AppKey("database", Database)
SETTINGS = web.AppKey("settings", Settings)
RASA_CLIENT = web.AppKey("rasa_client", aiohttp.ClientSession)
TELEGRAM = web.AppKey("telegram", Application)  # None when no bot token is set
TELEGRAM_KEY = web.AppKey("telegram_key", bytes)
