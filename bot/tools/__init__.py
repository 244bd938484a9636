"""Authoring tools: training and evaluation that editors and engineers run, never the server.

These may import scikit-learn (a dev dependency); nothing under ``bot/core`` imports them.
"""
