"""Discord adapters: each cog converts arguments, makes one engine call and sends the reply."""
