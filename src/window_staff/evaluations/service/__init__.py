"""The evaluations service, one module per concern."""
