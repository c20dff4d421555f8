"""The owner console: what a list owner does in the browser (accounts, roles, audit, and one page group per area)."""
