"""`summarizer eval`: hand-labeled fixtures, one-to-one alignment, field-level scores, replayable runs,
a baseline gate and reports. Modules by concern: fixtures, align, scorers, metrics, runs, gate, report,
command."""
