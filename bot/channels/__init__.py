"""Rasa input/output channels for the places customers talk to us: the web chat (socket.io) and WeChat."""
