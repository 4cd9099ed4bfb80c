"""The one health service: flags of decay computed from live state."""
