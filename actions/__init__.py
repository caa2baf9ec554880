"""Custom actions of the courier assistant, one module per concern; the backend client lives apart.

`rasa run actions` imports every module of this package, so a new flow only needs its own module.
"""
