"""Authoring tools for the safety check: the labelled corpus, training and evaluation.

``mangnon safety train`` rebuilds the learned layer from content/safety/corpus/;
``mangnon safety eval`` measures the whole check (lexicons + learned layer) on a split.
"""
