"""Scaling: the optional scaler that sizes the scoring service from the broker's backlog."""
