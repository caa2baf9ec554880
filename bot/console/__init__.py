"""Human handoff and the agent console: queues, live chat with customers, KPIs (served by the backend)."""
