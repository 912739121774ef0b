"""Compare: group the reports of one story across sources and languages, then diff how they tell it."""
