"""Scenario files: read and check (``load``), put into a store (``cast``), ask their expectations
through the public interfaces (``ask``), run them (``check``); what was loaded (``store``)."""
