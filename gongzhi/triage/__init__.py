"""Hotline work orders in bulk (工单分拨): spreadsheet imports and exports with column-mapping
profiles, a dry run and an all-or-nothing commit through the one intake contract; the category
classifier the intake adapters ask for suggestions; and hot-spot discovery (热点问题)."""
