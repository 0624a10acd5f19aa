"""The officials' read-only web view of the bot's database, on Datasette (issue 13)."""
