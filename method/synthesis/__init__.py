"""Synthesizers. Importing this package registers every method in ``method.api.registry``."""
