"""Custom Rasa NLU components for Chinese courier conversations, and the held-out evaluation."""
