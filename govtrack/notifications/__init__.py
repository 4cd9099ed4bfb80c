"""The in-app inbox: notices to a person, each created exactly once."""
