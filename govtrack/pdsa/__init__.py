"""PDSA cycles under workgroup goals, and measures with run charts."""
