def evaluate(response):
    # No line of the response may be longer than 80 characters.
    lines = response.split('\n')
    max_len = max(len(line) for line in lines)
    return max_len <= 80
