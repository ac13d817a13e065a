"""The sheet layout: one form-style sheet per program (generate, extract, report)."""
