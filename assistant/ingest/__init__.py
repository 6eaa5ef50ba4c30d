"""Ingestion: load documents, cut them into chunks, index them."""
