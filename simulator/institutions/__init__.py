"""Institutions, their Web API accounts and certificates (``service``, ``store``)."""
