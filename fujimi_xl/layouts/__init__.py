"""Workbook layouts: shared workbook building and the list and sheet layouts."""
