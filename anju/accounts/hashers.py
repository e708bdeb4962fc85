"""The password hash: Argon2id with one of the configurations OWASP's Password Storage Cheat Sheet
recommends (19 MiB of memory, 2 iterations, 1 lane).

Django's own defaults (100 MiB, 8 lanes) cost 0.19 s and 100 MiB per login on the two-core
servers counties run: fifty officials signing in at the start of the day queued every page
behind their hashes, and would need 5 GB of memory at once. These cost 0.05 s and 19 MiB. A
stored hash with other parameters is re-hashed with these at its next successful login.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    algorithm = "argon2"  # same prefix: existing hashes verify and are upgraded in place
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
