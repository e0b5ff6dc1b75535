"""chitieu: how far a Vietnamese province is from its People's Council plan targets."""

__version__ = "0.1.0"
