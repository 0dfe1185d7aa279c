"""Tests of what runs inside Rasa (our NLU components, REST channel and tracker store),
run in Rasa's own environment by `make pytest-rasa`."""
