"""Built-in demo problem set (package data) and the tool that measured it."""
