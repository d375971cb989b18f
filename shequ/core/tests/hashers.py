from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 with small costs, for tests only: same algorithm and hash format,
    a fraction of the memory and time, so building one user per role is quick."""

    time_cost = 1
    memory_cost = 1024
    parallelism = 1
