"""The demo's organisation tree and people (stages "organisations" and "people" of seed_demo)."""
