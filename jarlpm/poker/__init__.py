"""AI poker planning (/api/poker): five personas estimate a story; sessions keep what they said."""
