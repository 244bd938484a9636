"""Editors' tools that are not part of serving: the expert review pack and its sign-off."""
