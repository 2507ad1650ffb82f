"""Settings for the test suite: the real stack, with only password hashing made cheap."""

from huoli.settings import *  # noqa: F403

PASSWORD_HASHERS = ["huoli.accounts.hashers.InsecureFastArgon2PasswordHasher"]  # tests only
