"""Cluster mode (`make cluster`, `python -m bot.cluster`): the production topology of deploy/ on one machine.

N Rasa instances, M action servers and W web processes on the production stores (PostgreSQL, Redis, RabbitMQ),
behind HAProxy from Debian's packages, started and kept serving by bot/stack.py and bot/supervisor.py:

- topology.py   how many of each and on which ports (the balancer takes the ports of the Services of deploy/k8s)
- haproxy.py    the balancer's configuration, rendered from haproxy.cfg.in into var/cluster/haproxy.cfg
- processes.py  the services to start (commands, health routes, logs)
- environment.py the production profile: store URLs (this machine's stores unless set) and the secrets
- __main__.py   the command: start, print the URLs, supervise, stop on Ctrl-C
"""
