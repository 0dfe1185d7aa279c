"""The Telegram bridge: python-telegram-bot inside the web app, talking to Rasa for a chat."""
