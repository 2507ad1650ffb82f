"""Reads of the supervision app, one module per topic: ``handover``, ``debriefs``, ``risk``
(high-risk contacts per counsellor and shift), ``reviews`` (quality reviews). Each is scoped
by ``core.policy``."""
