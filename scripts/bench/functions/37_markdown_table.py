def evaluate(response):
    """The response must include a markdown table with at least 2 data rows."""
    rows = [line.strip() for line in response.splitlines() if line.strip().startswith("|")]
    if len(rows) < 3:
        return False
    columns = rows[0].count("|")
    if any(row.count("|") != columns for row in rows):
        return False
    separator = rows[1].replace("|", "").replace("-", "").replace(":", "").strip()
    return separator == "" and len(rows) - 2 >= 2
