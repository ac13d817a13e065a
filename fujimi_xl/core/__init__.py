"""The floor every other floor stands on: errors, the message catalogue, fiscal years, text
normalisation, plan model types and safe output files. Imports nothing else of fujimi_xl."""
