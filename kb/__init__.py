"""kb: a knowledge base of sourced numeric claims, their derivation checks and verdicts."""

__version__ = "0.1.0"
