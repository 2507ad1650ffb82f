"""Writes about conversations, one module per topic (as Zulip's ``zerver/actions/``):

- ``start``: start a conversation (the line's rules: open, someone on duty, the flood gate),
  return with the code;
- ``messages``: store messages (one or a batch), typing, the counsellor's read marker;
- ``queue``: duty, take, transfer, join, end, flag;
- ``feedback``: the visitor's answer to the feedback question;
- ``staff_notes``: private notes between the staff of a live conversation (never the
  visitor's to see).

Each write runs in one transaction and publishes after commit. Callers import the topic
module; refusals are ``conversations.errors.ConversationError``. Reads are in
``conversations.selectors``.
"""
