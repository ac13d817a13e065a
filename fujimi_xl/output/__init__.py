"""Outputs built from the master: the export, the typed DataFrame and PDF conversion."""
