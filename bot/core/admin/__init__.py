"""The staff side, channel-agnostic: accounts, sign-in policy, sessions, the admin audit log,
content status and unanswered questions for editors. The web admin (``bot.web``) and the CLI
use it; ``bot.storage.admin`` implements its Protocols."""
