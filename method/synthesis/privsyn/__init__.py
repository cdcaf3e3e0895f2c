"""PrivSyn: marginal selection (InDif, DenseMarg), consistency and GUM. Registered as ``privsyn``."""

from method.api.base import registry
from method.synthesis.privsyn.privsyn import PrivSynModel, PrivSynSynthesizer

registry.register(PrivSynSynthesizer)

__all__ = ["PrivSynModel", "PrivSynSynthesizer"]
