"""The telephone's edge: what Kamailio talks to, and the tooling that runs Kamailio and
rtpengine (``stack.py``, ``manage.py telephony_config``, ``manage.py run_phone``)."""
