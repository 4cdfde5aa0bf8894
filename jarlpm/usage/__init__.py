"""What the user's AI calls cost: the price table and the usage totals."""
