"""PrivSyn: marginal selection (InDif, DenseMarg), consistency and GUM."""

from method.synthesis.privsyn.privsyn import PrivSynModel, PrivSynSynthesizer

__all__ = ["PrivSynModel", "PrivSynSynthesizer"]
