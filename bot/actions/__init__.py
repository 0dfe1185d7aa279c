"""Rasa custom actions: they adapt Rasa's dialogue to the conference model in bot/model/."""

from bot.safeguarding.detector import warm

warm()  # the action server reads every message again: be ready before the first
