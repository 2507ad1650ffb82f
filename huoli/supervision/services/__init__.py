"""Writes of the supervision app, one module per topic (decision 0027): ``handover`` (notes
between shifts), ``debriefs`` (a counsellor's request to talk a hard contact through),
``reviews`` (quality reviews)."""
