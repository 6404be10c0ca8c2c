"""The render stage of pcndocs."""
