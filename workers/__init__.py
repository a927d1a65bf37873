"""Celery workers: the app, its tasks and the per-process runtime they score with."""
