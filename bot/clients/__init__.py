"""HTTP clients between our own processes: one per remote system (docs/architecture.md, "Clients").

- `bot.clients.backend`: the web process's API (`/api/v1/*`: the backend, and the console's handoff service on
  the same address and key), for the actions, the channels' handoff gate and the command-line tools.
- `bot.clients.rasa`: Rasa's HTTP API and push routes, for the console and the backend's parcel notifier.

Timeouts and retries come from bot/settings.py; retries (urllib3's `Retry`) only for calls that are safe to
repeat. A client imports only settings and the shared vocabulary, so every part may use it.
"""
