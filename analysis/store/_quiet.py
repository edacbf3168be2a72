"""Alembic logs each step at INFO (and its plugins when imported); when a library sets up root
logging (the quality benchmark's extractors do), that would print on every start of the program.
Imported first by the package: warnings and errors still show."""

import logging

logging.getLogger("alembic").setLevel(logging.WARNING)
