"""Reputation of the registrable domains texts link to and the numbers they ask you to call, shared by every process.

``subjects`` reads what a message holds (its links' domains, its call-back numbers and messenger ids, its sender's
number; numbers only as keyed hashes), ``store`` keeps each one's counts, evidence and verdict in Redis
(``entries.lua``), ``memory`` is a process's short memory of them and of the operators' verified senders, and
``policy`` decides what a verdict does to an answer. ``verdicts`` turns reports on texts into evidence on what they
hold. Nothing here loads the model.
"""
