"""The evaluations schemas, one module per concern."""
