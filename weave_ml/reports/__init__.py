"""The phishing reports the weave Java API writes to MongoDB: bounded reads and each report's label."""
