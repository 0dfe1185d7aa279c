"""The chair's review: signing in, edits to the board, the decision, approved versions."""
