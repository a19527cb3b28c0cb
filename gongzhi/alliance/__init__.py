"""The regional Party-building alliance ("筑梦曹杨"): member units, the charter, joint
activities, dual registration (双报到), the three lists (resources, needs, projects) and the
matching of needs to resources."""
