"""Authoring helpers: preview, stats, scaffolding, JSON Schemas, docs and watch mode."""
