"""`python -m prm_app.demo`: load the demo data and print the sign-ins."""

from .loader import main

main()
