"""The conversation machinery: one engine for every role, driven by the agenda file.

It knows nothing of Rasa: bot/actions/ adapts Rasa's form to it.
"""
