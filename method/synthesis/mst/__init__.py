"""MST (McKenna, Miklau, Sheldon 2021) on the Private-PGM engine; registers ``"mst"``."""

from method.api.base import registry
from method.synthesis.mst.adapter import MSTSynthesizer

registry.register(MSTSynthesizer)

__all__ = ["MSTSynthesizer"]
