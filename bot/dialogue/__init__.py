"""The conversation machinery: one engine for every role, driven by the agenda file.

It knows nothing of Rasa: bot/actions/ runs it, one action per turn.
"""
