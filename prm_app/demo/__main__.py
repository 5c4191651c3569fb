"""`python -m prm_app.demo`: load the demo data and print the sign-ins."""

from .. import database  # noqa: F401 - the app's engine, as `reflex run` will use it
from .loader import main

main()
