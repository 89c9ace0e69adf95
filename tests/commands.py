"""The slash commands showbot publishes, by who may use them (what the access tests of
the cogs and of the real bot both hold the command payload to)."""

MODERATOR_COMMANDS = {"fact", "alias", "synonym", "source", "entity", "facts", "gaps", "stats"}
MODERATOR_COMMANDS |= {"modlog", "updates", "show"}
PUBLIC_COMMANDS = {"when", "who", "what", "ask", "help", "privacy", "forget"}
PUBLIC_COMMANDS |= {"predictions", "upcoming"}
MEMBER_COMMANDS = {"follow", "unfollow", "following"}  # anyone, in a server only
