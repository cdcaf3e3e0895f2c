"""Re-export of :mod:`privsyn_platform.settings` (the worker and the API share one settings object)."""

from privsyn_platform.settings import Settings as Settings
from privsyn_platform.settings import get_settings as get_settings
from privsyn_platform.settings import load_settings as load_settings

__all__ = ["Settings", "get_settings", "load_settings"]
