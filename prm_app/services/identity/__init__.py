"""Who people are: sign-in and sessions, teams and roles, API keys and the sign-in throttle."""
