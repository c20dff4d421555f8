"""Outbound webhooks: a project's endpoints receive its events, signed per the Standard Webhooks spec."""
