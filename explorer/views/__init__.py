"""Pictures of a Run: each module is one pure function from a Run to DOT, a figure or a table."""
