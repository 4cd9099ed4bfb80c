"""Word documents: plain functions, model in, bytes out."""
