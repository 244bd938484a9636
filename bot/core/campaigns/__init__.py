"""Campaigns of the Propaganda Board: files (``spec``), the model, what a recipient sees
(``render``), and the actions every front end calls (``service.Campaigns``)."""
