"""AIM (McKenna, Mullins, Sheldon, Miklau, PVLDB 2022) on the Private-PGM engine."""

from method.synthesis.AIM.adapter import AIMSynthesizer

__all__ = ["AIMSynthesizer"]
