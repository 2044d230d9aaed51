"""The evaluations controllers, one module per concern."""
