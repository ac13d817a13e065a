"""The list layout: one row per plan item (generate, extract, feedback, report)."""
