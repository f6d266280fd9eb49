"""swtalent: social-work talent subsidies, allowances and awards."""
__version__ = "0.1.0"
