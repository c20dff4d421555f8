"""The sender's HTTP API (/v1/… through the gateway, /admin/… for operators)."""
