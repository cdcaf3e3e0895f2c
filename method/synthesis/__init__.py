"""Synthesizers. Importing this package registers every method in ``method.api.registry``."""

import method.synthesis.AIM  # noqa: F401
import method.synthesis.mst  # noqa: F401
