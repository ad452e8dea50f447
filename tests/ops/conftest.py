from tests.e2e.conftest import bot_env, fake, server  # noqa: F401 - the real process's fixtures
