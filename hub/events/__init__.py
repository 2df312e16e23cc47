"""Events and campaigns: participants by Wikimedia username, outputs counted from their edits."""
