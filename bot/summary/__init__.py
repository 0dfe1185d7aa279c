"""The conference summary: one builder that the command line, the chair's pages and the
exports all read."""
