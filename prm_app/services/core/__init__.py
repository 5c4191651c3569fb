"""What every capability shares: the database and its unit of work, the acting person, domain
errors, validated inputs, paged lists and the activity trail."""
