"""Telling the social worker and the chair: the outbox and its delivery by GOV.UK Notify."""
