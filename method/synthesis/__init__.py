"""Synthesizers. Importing this package registers every method in ``method.api.registry``."""

import method.synthesis.AIM  # noqa: F401  (registers "aim")
import method.synthesis.mst  # noqa: F401  (registers "mst")
import method.synthesis.privsyn  # noqa: F401  (registers "privsyn")
