"""Safety cases and the case desk (model, user-side flow, desk actions)."""
