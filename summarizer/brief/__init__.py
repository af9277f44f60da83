"""Briefings: several articles' extractions merged into what an analyst reads in the morning.

models (the briefing record) · inputs (extraction records in, numbered sources) · entities (merged on names
and aliases) · events (the timeline: one entry per real-world event) · claims (who said what) · stories
(unrelated articles kept apart; headlines) · build (`build_briefing`, and `records_lead`, the deterministic
lead) · lead (the model's lead) · render (Markdown and HTML).
"""
