def evaluate(response):
    # Limit the use of capital letters: fewer than 5% of the letters may be uppercase.
    letters = [c for c in response if c.isalpha()]
    upper = sum(1 for c in letters if c.isupper())
    ratio = upper / len(letters)
    return ratio < 0.05
