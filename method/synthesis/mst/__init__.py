"""MST (McKenna, Miklau, Sheldon 2021) on the Private-PGM engine."""

from method.synthesis.mst.adapter import MSTSynthesizer

__all__ = ["MSTSynthesizer"]
