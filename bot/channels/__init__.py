"""Rasa input channels of our own: how messages from people reach Rasa."""
