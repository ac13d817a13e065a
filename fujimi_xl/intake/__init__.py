"""Intake of returned workbooks: sniff, zip/XML checks, reader, worker isolation, validation and
the ingest pipeline (:mod:`fujimi_xl.intake.ingest`)."""
