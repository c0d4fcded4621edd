"""The curator's assistant: reads a new article and drafts candidate facts for review (#14)."""
