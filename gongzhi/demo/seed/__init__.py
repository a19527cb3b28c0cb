"""`manage.py seed_demo`: a believable Caoyang New Village subdistrict, generated from a seed.

The stages are registered by the apps that own the data (gongzhi.core.seeding): places, the
organisation and its people, the demo's logins (this app), duty, cases … The runner here refuses
a database that already holds data, runs every stage in one transaction, writes one audit event
with the counts, and times it all.
"""

from __future__ import annotations

from .runner import DEFAULT_SEED, SeedOutcome, seed_demo

__all__ = ["DEFAULT_SEED", "SeedOutcome", "seed_demo"]
