"""Reads of the supervision app, one module per topic (``reviews``: quality reviews)."""
