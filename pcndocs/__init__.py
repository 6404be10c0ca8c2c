"""pcndocs: governance documents for an English Primary Care Network, from one YAML profile."""

from __future__ import annotations

__version__ = "0.1.0"
