"""Business rules, one module per job; routes in bot.backend.api only translate HTTP to these calls."""
