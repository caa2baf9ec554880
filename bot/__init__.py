"""Courier customer-service assistant: backend service, channels, NLU components and agent console."""
