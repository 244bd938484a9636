"""Search's authoring tools: the labelled questions, training the topic model, evaluation.

``mangnon search train`` rebuilds content/questions/model/topics.nlu; ``mangnon search eval``
reports accuracy and answer rates per language and style. Dev extras only (scikit-learn).
"""
