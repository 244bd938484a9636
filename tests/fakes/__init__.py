"""Fakes of the outside world (chat platforms' servers), run over real HTTP on 127.0.0.1."""
