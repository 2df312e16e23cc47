"""Tasks and reminders: to-dos, the daily reminders and digest, calendar feeds."""
