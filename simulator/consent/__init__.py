"""Consents given and withdrawn through the admin API (``service``)."""
