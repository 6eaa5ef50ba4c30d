"""Revisions of the audit-log schema, oldest first by ``down_revision``."""
