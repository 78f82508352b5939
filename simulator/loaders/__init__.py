"""Loaders: generate data sets (seeded, pure) and save them into the registry."""
