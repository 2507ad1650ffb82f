from django.contrib.auth.hashers import Argon2PasswordHasher


class InsecureFastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 with toy parameters, for the test suite only (settings_test). Never in production."""

    algorithm = "argon2"
    time_cost = 1
    memory_cost = 64
    parallelism = 1
