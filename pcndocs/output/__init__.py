"""The output stage of pcndocs."""
