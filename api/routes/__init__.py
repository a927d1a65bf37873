"""HTTP endpoints of the gateway, one blueprint per concern."""
