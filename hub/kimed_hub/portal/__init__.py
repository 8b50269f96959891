"""KIMed Portal core (placeholder during development)."""
