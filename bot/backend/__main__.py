"""`python -m bot.backend`: the older name of `python -m bot.web_app`, which starts the whole web process
(backend API, console, chat page). Kept because bot/stack.py, the tests and deployments start it by this name.

A launcher, not part of the backend's library: the import-direction test lets `__main__` modules start the
assembled process, and nothing imports this module.
"""

from bot.web_app.__main__ import main

if __name__ == "__main__":
    main()
