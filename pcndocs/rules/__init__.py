"""The rules stage of pcndocs."""
