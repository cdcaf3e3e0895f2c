"""AIM (McKenna, Mullins, Sheldon, Miklau, PVLDB 2022) on the Private-PGM engine; registers ``"aim"``."""

from method.api.base import registry
from method.synthesis.AIM.adapter import AIMSynthesizer

registry.register(AIMSynthesizer)

__all__ = ["AIMSynthesizer"]
