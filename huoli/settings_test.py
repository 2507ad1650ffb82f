"""Settings for the test suite: the real stack, with only password hashing made cheap."""

from huoli.settings import *  # noqa: F403

PASSWORD_HASHERS = ["huoli.accounts.hashers.InsecureFastArgon2PasswordHasher"]  # tests only

# A model used only by core's tests (created without migrations in the test database).
INSTALLED_APPS = [*INSTALLED_APPS, "huoli.core.tests.testapp"]  # noqa: F405

HUOLI_RETURN_CODE_HASH = {"time_cost": 1, "memory_cost": 64}  # tests only

# The purge's tests must not replace the checkout's own var/caller_key (its test does so in a
# temporary folder).
HUOLI_CALLER_KEY_ROTATION = False

# The in-process tests' data lives in transactions a writer process would not see: there the
# writer stores in the database thread. Servers started by tests (tests/asgi_process.py) get
# the production default, and the writer process's own tests turn it on.
HUOLI_WRITER_PROCESS = env_bool("HUOLI_WRITER_PROCESS", False)  # noqa: F405
