"""Synthesizers. Importing this package registers every method in ``method.api.registry``."""

import method.synthesis.privsyn  # noqa: F401  (registers "privsyn")
