"""Gongzhi 共治: a grassroots co-governance platform for Chinese city subdistricts."""
