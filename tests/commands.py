"""The slash commands showbot publishes, by who may use them (what the access tests of
the cogs and of the real bot both hold the command payload to)."""

MODERATOR_COMMANDS = {"fact", "alias", "synonym", "source", "entity", "facts", "gaps", "stats"}
MODERATOR_COMMANDS |= {"modlog", "updates", "show"}
PUBLIC_COMMANDS = {"when", "who", "what", "ask", "help", "privacy", "forget"}
PUBLIC_COMMANDS |= {"predictions", "upcoming"}
# A member's follows: listed and ended in a DM too (in every server: the bot may have left
# one, issue 20 item 7); followed in a server only (a follow is per server).
PUBLIC_COMMANDS |= {"unfollow", "following"}
MEMBER_COMMANDS = {"follow"}  # anyone, in a server only
