"""Smishing campaigns: near-duplicate texts from many senders, grouped across every process while they happen.

``signature`` turns a message into a locality-sensitive signature of its template (variable parts masked),
``store`` keeps the groups in Redis (signatures, hashed senders, counts and times; never text) and ``policy``
decides what a campaign does to an answer. Nothing here loads the model.
"""
