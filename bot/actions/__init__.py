"""Rasa custom actions: they adapt Rasa's dialogue to the conference model in bot/model/."""
